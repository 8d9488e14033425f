// The texts of hovers: short documentation of the SQL keywords and functions (KEYWORD_HOVERS) and of the
// application-side APIs in TypeScript/JavaScript (TYPESCRIPT_HOVERS) that matter for distributed
// correctness. Facts from the skills, in the project's own words. Where each one shows: hover.ts.
//
// An entry is shown for phrases: a word (`nowait`), a sequence of words (`for no key update`) or a
// dotted name (`pgmq.read`). Hovering any word of a phrase shows the entry, and a word that is
// ambiguous alone ("for", "read", "share", "update") shows nothing unless the whole phrase is there.

import type { Locale } from '../core/locale';

export interface KeywordHover {
  /**
   * Lower-case phrases that show this entry: "nextval", "on conflict", "pgmq.read". A leading `^`
   * requires the phrase to start a statement (NOTIFY, LISTEN: also plausible column names).
   */
  phrases: string[];
  /** Words that, earlier in the same statement, mean the phrase is something else (CREATE POLICY … FOR UPDATE). */
  notAfter?: string[];
  title: string;
  text: Record<Locale, string>;
  skill: string;
}

export const KEYWORD_HOVERS: KeywordHover[] = [
  {
    phrases: ['clock_timestamp', 'timeofday'],
    title: 'clock_timestamp() / timeofday()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: 'Reads the real-time wall clock at the moment of the call: it changes on every call, even inside one statement, and NTP corrections can move it backwards or forwards. Good for measuring elapsed time inside a transaction; never for expiry, TTLs, leases or ordering rows across nodes (use `now()` and sequences). `timeofday()` is the same clock as text.',
      'pt-BR':
        'Lê o relógio de parede real no momento da chamada: muda a cada chamada, mesmo dentro de um comando, e correções do NTP podem movê-lo para trás ou para frente. Bom para medir tempo decorrido dentro de uma transação; nunca para expiração, TTL, lease ou ordenar linhas entre nós (use `now()` e sequences). `timeofday()` é o mesmo relógio, como texto.',
    },
  },
  {
    phrases: ['now', 'transaction_timestamp', 'current_timestamp'],
    title: 'now() / transaction_timestamp() / current_timestamp',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: "The start time of the current transaction: every call inside the transaction returns the same value. The right choice for `created_at`/`updated_at` defaults and for persisted expiry (`expires_at = now() + interval '7 days'`, checked with `expires_at > now()`). It does not advance during a transaction, so it cannot measure elapsed time there.",
      'pt-BR':
        "O início da transação atual: toda chamada dentro da transação devolve o mesmo valor. A escolha certa para defaults de `created_at`/`updated_at` e para expiração gravada (`expires_at = now() + interval '7 days'`, conferida com `expires_at > now()`). Não avança durante a transação, então não serve para medir tempo decorrido nela.",
    },
  },
  {
    phrases: ['statement_timestamp'],
    title: 'statement_timestamp()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: 'The start time of the current statement: it differs between statements of the same transaction. Useful for per-statement latency (`clock_timestamp() - statement_timestamp()`); not for expiry, because two statements of one transaction would disagree about the time.',
      'pt-BR':
        'O início do comando atual: difere entre comandos da mesma transação. Útil para latência por comando (`clock_timestamp() - statement_timestamp()`); não para expiração, porque dois comandos de uma transação discordariam sobre a hora.',
    },
  },
  {
    phrases: [
      'pg_advisory_lock',
      'pg_advisory_xact_lock',
      'pg_try_advisory_lock',
      'pg_try_advisory_xact_lock',
      'pg_advisory_lock_shared',
      'pg_advisory_xact_lock_shared',
      'pg_try_advisory_lock_shared',
      'pg_try_advisory_xact_lock_shared',
      'pg_advisory_unlock',
      'pg_advisory_unlock_shared',
      'pg_advisory_unlock_all',
    ],
    title: 'Advisory locks',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03 (c); armadilhas-sistemas-distribuidos — REQ ARMADILHAS-02',
    text: {
      en: "A lock on an application-chosen number (often `hashtext('name')`), not on a row. `pg_advisory_xact_lock` is released automatically at commit or rollback; `pg_advisory_lock` is held by the session until `pg_advisory_unlock`. The `try` variants return false instead of waiting; `_shared` variants only exclude exclusive holders. Writes in the transaction that holds a `pg_advisory_xact_lock` are covered by it; writes that rely on a session lock from later transactions (or on a lock or lease that expires) are not: a holder that lost it can still write late, so pair it with a fencing token (`nextval` of a sequence) that every write checks.",
      'pt-BR':
        "Um lock sobre um número escolhido pela aplicação (muitas vezes `hashtext('nome')`), não sobre uma linha. `pg_advisory_xact_lock` é liberado sozinho no commit ou rollback; `pg_advisory_lock` fica com a sessão até `pg_advisory_unlock`. As variantes `try` devolvem false em vez de esperar; as `_shared` só excluem detentores exclusivos. Escritas na transação que tem um `pg_advisory_xact_lock` ficam cobertas por ele; escritas que dependem de um lock de sessão em transações posteriores (ou de um lock ou lease que expira) não: quem o perdeu ainda pode escrever atrasado, então combine-o com um fencing token (`nextval` de uma sequence) conferido por toda escrita.",
    },
  },
  {
    phrases: ['nextval', 'currval'],
    title: 'nextval() / currval()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-02',
    text: {
      en: "`nextval('seq')` returns a strictly increasing number even under concurrency (sequences are not rolled back), which makes it a good fencing token and a good ordering key across nodes. `currval('seq')` returns the value this session last obtained from `nextval`, so a later statement of the same session can reuse the token.",
      'pt-BR':
        "`nextval('seq')` devolve um número estritamente crescente mesmo sob concorrência (sequences não sofrem rollback), o que o torna um bom fencing token e uma boa chave de ordenação entre nós. `currval('seq')` devolve o último valor que esta sessão obteve de `nextval`, então um comando posterior da mesma sessão pode reusar o token.",
    },
  },
  {
    phrases: ['on conflict', 'conflict'],
    title: 'INSERT … ON CONFLICT',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-05; streams-eventos-cdc — REQ STREAMS-04',
    text: {
      en: 'Makes an insert idempotent: when a row with the same unique key already exists, `DO NOTHING` skips it and `DO UPDATE SET …` updates it instead of failing with a unique violation. The conflict target must match a unique index or constraint whose columns the insert supplies; a retried webhook or a redelivered queue message then changes nothing the second time.',
      'pt-BR':
        'Torna um insert idempotente: quando já existe uma linha com a mesma chave única, `DO NOTHING` a ignora e `DO UPDATE SET …` a atualiza em vez de falhar com unique violation. O alvo do conflito precisa corresponder a um índice ou constraint única cujas colunas o insert fornece; um webhook repetido ou uma mensagem reentregue não muda nada na segunda vez.',
    },
  },
  {
    phrases: ['read uncommitted'],
    title: 'READ UNCOMMITTED',
    skill: 'postgres-isolamento-concorrencia — REGRA #1; anti-pattern 4',
    text: {
      en: 'PostgreSQL accepts the name but runs the transaction as READ COMMITTED: no isolation level in PostgreSQL ever shows rows that other transactions have not committed (no dirty reads), and nothing gets faster. Write `READ COMMITTED` so the code states what really happens.',
      'pt-BR':
        'O PostgreSQL aceita o nome, mas roda a transação como READ COMMITTED: nenhum nível de isolamento do PostgreSQL mostra linhas que outras transações ainda não commitaram (não há dirty read), e nada fica mais rápido. Escreva `READ COMMITTED` para que o código diga o que de fato acontece.',
    },
  },
  {
    phrases: ['read committed'],
    title: 'READ COMMITTED',
    skill: 'postgres-isolamento-concorrencia — REGRA #2, REGRA #3; REQ ISOLAMENTO-02',
    text: {
      en: 'The default level. Each statement sees what was committed before that statement began, so two reads in one transaction may disagree. Enough for writes of one row by key (`UPDATE … WHERE id = $1` is atomic for that row). A read followed by a write computed from it can lose a concurrent update: write `SET n = n + 1`, read with `FOR UPDATE`, or compare a version column.',
      'pt-BR':
        'O nível padrão. Cada comando vê o que foi commitado antes de ele começar, então duas leituras na mesma transação podem discordar. Basta para escritas de uma linha pela chave (`UPDATE … WHERE id = $1` é atômico para aquela linha). Uma leitura seguida de uma escrita calculada a partir dela pode perder um update concorrente: escreva `SET n = n + 1`, leia com `FOR UPDATE` ou compare uma coluna de versão.',
    },
  },
  {
    phrases: ['repeatable read'],
    title: 'REPEATABLE READ',
    skill: 'postgres-isolamento-concorrencia — REGRA #4, REGRA #5; REQ ISOLAMENTO-02, REQ ISOLAMENTO-04',
    text: {
      en: 'Snapshot isolation: every statement of the transaction sees the database as it was at its first query, which suits reports that read several tables. It does not prevent write skew or phantoms: two transactions can test the same condition on their own snapshots (a count, an EXISTS) and both write. Protect such checks with `FOR UPDATE` on the rows read, an exclusion constraint, or `SERIALIZABLE`.',
      'pt-BR':
        'Snapshot isolation: todo comando da transação vê o banco como estava na primeira consulta, o que serve para relatórios que leem várias tabelas. Não impede write skew nem phantoms: duas transações podem testar a mesma condição cada uma no seu snapshot (um count, um EXISTS) e ambas escrever. Proteja essas verificações com `FOR UPDATE` nas linhas lidas, uma exclusion constraint ou `SERIALIZABLE`.',
    },
  },
  {
    phrases: ['serializable'],
    title: 'SERIALIZABLE',
    skill: 'postgres-isolamento-concorrencia — REGRA #5, REGRA #6; REQ ISOLAMENTO-05; anti-pattern 2',
    text: {
      en: 'Serializable Snapshot Isolation: PostgreSQL tracks what each transaction read and, when concurrent transactions could not have produced their result one after the other, aborts one with SQLSTATE `40001` (sometimes without a real conflict). It prevents write skew and phantoms without blocking, but the caller must retry on `40001` (a few attempts, exponential backoff). Request it per transaction, not as a global default.',
      'pt-BR':
        'Serializable Snapshot Isolation: o PostgreSQL acompanha o que cada transação leu e, quando transações concorrentes não poderiam ter produzido seu resultado uma depois da outra, aborta uma com SQLSTATE `40001` (às vezes sem conflito real). Impede write skew e phantoms sem bloquear, mas quem chama precisa repetir em `40001` (algumas tentativas, backoff exponencial). Peça-o por transação, não como padrão global.',
    },
  },
  {
    phrases: ['for update', 'for no key update'],
    notAfter: ['policy'],
    title: 'SELECT … FOR UPDATE / FOR NO KEY UPDATE',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03 (a), REQ ISOLAMENTO-04; anti-pattern 3',
    text: {
      en: 'Locks the rows the query returns until the transaction ends: other transactions that update, delete or lock them wait. The pessimistic cure for lost updates, and for write skew when taken on the rows a check reads; rows that do not exist yet are not locked. Lock several rows in one fixed order (by primary key) or concurrent transactions deadlock. `FOR NO KEY UPDATE` is the lighter form for updates that keep the key: foreign-key checks on the row are not blocked.',
      'pt-BR':
        'Trava as linhas que a consulta devolve até o fim da transação: outras transações que as atualizam, apagam ou travam esperam. A cura pessimista para lost update, e para write skew quando aplicada às linhas que uma verificação lê; linhas que ainda não existem não são travadas. Trave várias linhas sempre na mesma ordem (pela chave primária), ou transações concorrentes entram em deadlock. `FOR NO KEY UPDATE` é a forma mais leve para updates que mantêm a chave: verificações de foreign key na linha não ficam bloqueadas.',
    },
  },
  {
    phrases: ['for share', 'for key share'],
    notAfter: ['policy'],
    title: 'SELECT … FOR SHARE / FOR KEY SHARE',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03, REQ ISOLAMENTO-04',
    text: {
      en: 'A shared row lock until the transaction ends: others may lock the same rows for sharing, but cannot update or delete them. Two transactions that share-lock a row and then both update it deadlock, and one aborts. `FOR KEY SHARE` is weaker still (what foreign-key checks take): it only blocks deletes and key changes, so it does not protect a check on other columns.',
      'pt-BR':
        'Um lock compartilhado de linha até o fim da transação: outros podem travar as mesmas linhas de forma compartilhada, mas não atualizá-las nem apagá-las. Duas transações que travam uma linha assim e depois ambas a atualizam entram em deadlock, e uma aborta. `FOR KEY SHARE` é ainda mais fraco (é o que as verificações de foreign key usam): só bloqueia deletes e mudanças de chave, então não protege uma verificação sobre outras colunas.',
    },
  },
  {
    phrases: ['skip locked'],
    title: 'SKIP LOCKED',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03 (a)',
    text: {
      en: 'Leaves out the rows another transaction has locked instead of waiting for them: several workers can each claim different rows of a job table (`SELECT … LIMIT n FOR UPDATE SKIP LOCKED`). The result is an incomplete view on purpose, right for claiming work, wrong for counting or checking invariants.',
      'pt-BR':
        'Deixa de fora as linhas que outra transação travou em vez de esperar por elas: vários workers podem pegar linhas diferentes de uma tabela de jobs (`SELECT … LIMIT n FOR UPDATE SKIP LOCKED`). O resultado é uma visão incompleta de propósito, certa para distribuir trabalho, errada para contar ou verificar invariantes.',
    },
  },
  {
    phrases: ['nowait'],
    title: 'NOWAIT',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03',
    text: {
      en: 'Fails at once with SQLSTATE `55P03` (lock_not_available) when a row or table is already locked, instead of waiting. Useful to fail fast on a request path; the caller has to handle the error (answer "busy", or retry later with backoff).',
      'pt-BR':
        'Falha na hora com SQLSTATE `55P03` (lock_not_available) quando uma linha ou tabela já está travada, em vez de esperar. Útil para falhar rápido no caminho de uma requisição; quem chama precisa tratar o erro (responder "ocupado" ou tentar de novo mais tarde, com backoff).',
    },
  },
  {
    phrases: ['^notify', '^listen', '^unlisten', 'pg_notify'],
    title: 'LISTEN / NOTIFY / pg_notify()',
    skill: 'streams-eventos-cdc — REGRA #1; anti-pattern 1',
    text: {
      en: '`NOTIFY channel, \'payload\'` (or `pg_notify(channel, payload)`) delivers a message, at commit, to the sessions LISTENing on the channel at that moment. Nothing is stored: a listener that is disconnected or restarting never gets it, and there is no replay. Fine for "something changed, re-read" pings; for events that must not be lost, use a queue (pgmq) or an append-only events table.',
      'pt-BR':
        '`NOTIFY canal, \'payload\'` (ou `pg_notify(canal, payload)`) entrega uma mensagem, no commit, às sessões que estão em LISTEN no canal naquele momento. Nada fica guardado: um listener desconectado ou reiniciando nunca a recebe, e não há replay. Serve para avisos do tipo "algo mudou, leia de novo"; para eventos que não podem se perder, use uma fila (pgmq) ou uma tabela de eventos append-only.',
    },
  },
  {
    phrases: ['refresh materialized view', 'refresh materialized view concurrently'],
    title: 'REFRESH MATERIALIZED VIEW [CONCURRENTLY]',
    skill: 'streams-eventos-cdc — REQ STREAMS-03; anti-pattern 4',
    text: {
      en: 'Recomputes a materialized view. Without `CONCURRENTLY` it takes an exclusive lock and every read of the view waits until the refresh ends. `CONCURRENTLY` keeps the view readable and applies only the differences, but it needs a unique index on the view and takes longer.',
      'pt-BR':
        'Recalcula uma materialized view. Sem `CONCURRENTLY` ela pega um lock exclusivo e toda leitura da view espera o refresh terminar. `CONCURRENTLY` mantém a view legível e aplica só as diferenças, mas exige um índice único na view e demora mais.',
    },
  },
  {
    phrases: ['prepare transaction', 'commit prepared', 'rollback prepared'],
    title: 'PREPARE TRANSACTION / COMMIT PREPARED / ROLLBACK PREPARED',
    skill: 'sistemas-distribuidos — Anti-Padrões (2PC); Padrão saga',
    text: {
      en: "Two-phase commit. `PREPARE TRANSACTION 'id'` writes the transaction to disk with all its locks; later a coordinator, from any session, finishes it with `COMMIT PREPARED` or `ROLLBACK PREPARED`. If the coordinator fails in between, the prepared transaction survives restarts and keeps blocking writers of its rows until someone resolves it (`pg_prepared_xacts` lists them). Disabled unless `max_prepared_transactions` > 0. Across services, prefer a saga with compensating steps.",
      'pt-BR':
        "Two-phase commit. `PREPARE TRANSACTION 'id'` grava a transação em disco com todos os seus locks; depois um coordenador, de qualquer sessão, a conclui com `COMMIT PREPARED` ou `ROLLBACK PREPARED`. Se o coordenador falhar no meio, a transação preparada sobrevive a reinícios e continua bloqueando quem escreve nas suas linhas até alguém resolvê-la (`pg_prepared_xacts` as lista). Desligado a menos que `max_prepared_transactions` > 0. Entre serviços, prefira uma saga com etapas de compensação.",
    },
  },
  {
    phrases: ['pgmq.send', 'pgmq.send_batch'],
    title: 'pgmq.send()',
    skill: 'streams-eventos-cdc — REGRA #1, REQ STREAMS-04',
    text: {
      en: 'Puts a jsonb message on a pgmq queue as part of the current transaction: the message exists only if the transaction commits, so sending it next to the rows it describes is a transactional outbox. An optional delay (seconds) keeps it invisible at first. Consumers receive it at least once.',
      'pt-BR':
        'Coloca uma mensagem jsonb numa fila pgmq como parte da transação atual: a mensagem só existe se a transação commitar, então enviá-la junto com as linhas que ela descreve é um outbox transacional. Um atraso opcional (segundos) a deixa invisível no início. Os consumidores a recebem pelo menos uma vez.',
    },
  },
  {
    phrases: ['pgmq.read', 'pgmq.read_with_poll'],
    title: 'pgmq.read()',
    skill: 'streams-eventos-cdc — REGRA #4, REQ STREAMS-04; anti-pattern 2',
    text: {
      en: 'Takes up to `qty` messages and hides them for `vt` seconds (the visibility timeout) without removing them. If the consumer does not delete or archive a message before `vt` runs out (it crashed, or was slow), the message is delivered again: at-least-once. Make the handler idempotent (a dedup table with a unique event id, `ON CONFLICT`) and acknowledge after the work commits.',
      'pt-BR':
        'Pega até `qty` mensagens e as esconde por `vt` segundos (o visibility timeout) sem removê-las. Se o consumidor não apagar nem arquivar a mensagem antes de `vt` acabar (caiu, ou demorou), ela é entregue de novo: pelo menos uma vez. Torne o handler idempotente (tabela de dedup com id de evento único, `ON CONFLICT`) e confirme depois que o trabalho commitar.',
    },
  },
  {
    phrases: ['pgmq.pop'],
    title: 'pgmq.pop()',
    skill: 'streams-eventos-cdc — REQ STREAMS-04',
    text: {
      en: 'Reads one message and deletes it in the same step: at-most-once. If the work happens outside this transaction and the consumer crashes before finishing it, the message is gone. Pop in the same transaction as the work (a rollback brings it back), or use `pgmq.read` and acknowledge afterwards.',
      'pt-BR':
        'Lê uma mensagem e a apaga no mesmo passo: no máximo uma vez. Se o trabalho acontece fora desta transação e o consumidor cai antes de terminá-lo, a mensagem se perde. Faça o pop na mesma transação do trabalho (um rollback a devolve), ou use `pgmq.read` e confirme depois.',
    },
  },
  {
    phrases: ['pgmq.delete', 'pgmq.archive'],
    title: 'pgmq.delete() / pgmq.archive()',
    skill: 'streams-eventos-cdc — REQ STREAMS-04, REGRA #6',
    text: {
      en: "Acknowledges a message: `delete` removes it, `archive` moves it to the queue's archive table (`pgmq.a_<queue>`) where it stays for audit and replay. Acknowledge after the work is committed, or in the same transaction as the work, so that a crash means a redelivery and never a lost message.",
      'pt-BR':
        'Confirma uma mensagem: `delete` a remove, `archive` a move para a tabela de arquivo da fila (`pgmq.a_<fila>`), onde fica para auditoria e replay. Confirme depois que o trabalho commitou, ou na mesma transação do trabalho, para que uma queda signifique reentrega e nunca uma mensagem perdida.',
    },
  },
  {
    phrases: ['exclude using', 'exclude using gist'],
    title: 'EXCLUDE USING gist',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-04 (caminho 2); REGRA #4',
    text: {
      en: 'An exclusion constraint: no two rows may make all the listed comparisons true, e.g. `EXCLUDE USING gist (room WITH =, slot WITH &&)` forbids overlapping bookings of one room. The database enforces it across concurrent transactions, so it closes the check-then-insert race without SERIALIZABLE. Plain columns compared with `=` in a gist index need the `btree_gist` extension.',
      'pt-BR':
        'Uma exclusion constraint: duas linhas não podem tornar verdadeiras todas as comparações listadas, por exemplo `EXCLUDE USING gist (room WITH =, slot WITH &&)` proíbe reservas sobrepostas da mesma sala. O banco a garante entre transações concorrentes, então ela fecha a corrida de verificar-e-inserir sem SERIALIZABLE. Colunas simples comparadas com `=` num índice gist precisam da extensão `btree_gist`.',
    },
  },
];

interface Phrase {
  entry: KeywordHover;
  parts: string[];
  startsStatement: boolean;
}

// "pgmq.read" → ["pgmq", ".", "read"]: the tokens the lexer produces.
const byPart = new Map<string, Array<{ phrase: Phrase; at: number }>>();
for (const entry of KEYWORD_HOVERS) {
  for (const text of entry.phrases) {
    const parts = text
      .replace(/^\^/, '')
      .split(/\s+/)
      .flatMap((part) => part.split(/(\.)/))
      .filter(Boolean);
    const phrase: Phrase = { entry, parts, startsStatement: text.startsWith('^') };
    parts.forEach((part, at) => {
      if (part !== '.') byPart.set(part, [...(byPart.get(part) ?? []), { phrase, at }]);
    });
  }
}

// Words after which a PL/pgSQL or SQL statement starts.
const STATEMENT_OPENERS = new Set([';', 'begin', 'then', 'else', 'loop']);

/**
 * The entry for the token at `index`, given the lower-cased texts of the surrounding tokens (words,
 * punctuation and operators as written; strings as ""). The longest phrase that contains the token wins.
 */
export function keywordHover(tokens: readonly string[], index: number): KeywordHover | undefined {
  let best: Phrase | undefined;
  for (const { phrase, at } of byPart.get(tokens[index]) ?? []) {
    const start = index - at;
    if (start < 0 || !phrase.parts.every((part, offset) => tokens[start + offset] === part)) continue;
    if (phrase.startsStatement && start > 0 && !STATEMENT_OPENERS.has(tokens[start - 1])) continue;
    if (phrase.entry.notAfter && earlierInStatement(tokens, start, phrase.entry.notAfter)) continue;
    if (!best || phrase.parts.length > best.parts.length) best = phrase;
  }
  return best?.entry;
}

function earlierInStatement(tokens: readonly string[], start: number, words: string[]): boolean {
  for (let index = start - 1; index >= 0 && tokens[index] !== ';'; index--) if (words.includes(tokens[index])) return true;
  return false;
}

// TypeScript/JavaScript: AbortSignal.timeout, the NX/PX/EX options of Redis SET, idempotency keys.

export interface TypeScriptHover {
  title: string;
  text: Record<Locale, string>;
  skill: string;
}

export type TypeScriptHoverId = 'abortSignalTimeout' | 'redisNx' | 'redisExpiry' | 'idempotencyKey';

export const TYPESCRIPT_HOVERS: Record<TypeScriptHoverId, TypeScriptHover> = {
  abortSignalTimeout: {
    title: 'AbortSignal.timeout(ms)',
    skill: 'distributed-systems-fundamentals — Minimal Distributed Hygiene (1: timeouts); sistemas-distribuidos — anti-patterns',
    text: {
      en: "A signal that aborts by itself after `ms` milliseconds. Given as `signal` to `fetch` (or to axios, undici, node:http), it bounds the whole call — connecting, waiting for the headers and reading the body — and the call rejects with a `TimeoutError`. Create it right before the call: the countdown starts when the signal is made, so one stored in options built at startup has long expired. To honour a caller's cancellation too, combine them: `AbortSignal.any([callerSignal, AbortSignal.timeout(ms)])`. Without a signal, a call to a server that stops answering waits as long as the connection lives, holding whatever awaits it.",
      'pt-BR':
        'Um signal que aborta sozinho depois de `ms` milissegundos. Passado como `signal` ao `fetch` (ou ao axios, undici, node:http), limita a chamada inteira — conexão, espera pelos cabeçalhos e leitura do corpo — e a chamada rejeita com um `TimeoutError`. Crie-o logo antes da chamada: a contagem começa quando o signal é criado, então um guardado em opções montadas na inicialização já expirou há muito. Para respeitar também o cancelamento de quem chama, combine os dois: `AbortSignal.any([signalDeQuemChama, AbortSignal.timeout(ms)])`. Sem signal, uma chamada a um servidor que para de responder espera enquanto a conexão viver, prendendo tudo que a aguarda.',
    },
  },
  redisNx: {
    title: 'Redis SET … NX',
    skill: 'armadilhas-sistemas-distribuidos — REGRA #2, anti-pattern 2; sistemas-distribuidos — distributed locks',
    text: {
      en: "`NX` makes `SET` write only when the key does not exist yet (otherwise it answers nil): a single atomic step, so of several processes racing for the key exactly one wins. That is how a Redis lock is taken. Always give it an expiry (`PX`/`EX`) so a crashed holder's lock goes away, store a value unique to the holder, and release with an atomic compare-and-delete (a script that deletes only if the value is still yours). The expiry can run out while the holder is paused (garbage collection, a slow call), so writes made under the lock still need a fencing token that the storage checks.",
      'pt-BR':
        '`NX` faz o `SET` gravar só quando a chave ainda não existe (senão responde nil): um único passo atômico, então entre vários processos disputando a chave exatamente um vence. É assim que se pega um lock no Redis. Dê sempre uma expiração (`PX`/`EX`) para que o lock de um detentor que caiu desapareça, guarde um valor único do detentor e libere com um compare-and-delete atômico (um script que só apaga se o valor ainda for seu). A expiração pode vencer enquanto o detentor está pausado (garbage collection, uma chamada lenta), então escritas feitas sob o lock ainda precisam de um fencing token conferido pelo armazenamento.',
    },
  },
  redisExpiry: {
    title: 'Redis SET … PX / EX',
    skill: 'armadilhas-sistemas-distribuidos — REGRA #2, anti-pattern 2; sistemas-distribuidos — distributed locks',
    text: {
      en: '`PX` gives the key a time to live in milliseconds, `EX` in seconds, in the same command as the write, so the key never exists without its expiry. For a lock this is a lease: it frees the lock when the holder dies, but also while a slow or paused holder still believes it owns it, because Redis counts the time, not the holder. Make it longer than the work done under the lock, renew it when the work can run long, and protect the writes with a fencing token.',
      'pt-BR':
        '`PX` dá à chave um tempo de vida em milissegundos, `EX` em segundos, no mesmo comando da escrita, então a chave nunca existe sem a expiração. Num lock isso é um lease: libera o lock quando o detentor morre, mas também enquanto um detentor lento ou pausado ainda acredita ser o dono, porque quem conta o tempo é o Redis, não o detentor. Faça-o maior que o trabalho feito sob o lock, renove-o quando o trabalho puder demorar e proteja as escritas com um fencing token.',
    },
  },
  idempotencyKey: {
    title: 'Idempotency key',
    skill:
      'sistemas-distribuidos — idempotency; armadilhas-sistemas-distribuidos — anti-pattern 4; distributed-systems-fundamentals — Minimal Distributed Hygiene (3)',
    text: {
      en: "Lets a provider recognise a repeated request (Stripe's `idempotencyKey` option, the `Idempotency-Key` header of many HTTP APIs): the first request with a key runs and its result is stored; a retry with the same key gets that result back instead of charging or sending again. Build the key from a stable identifier of the operation — the order or payment id, the webhook event id — so that every retry, after a timeout or a crash, sends the same key; a random value made on each attempt makes every retry look new. Stripe keeps keys for at least 24 hours and rejects a key reused with different parameters.",
      'pt-BR':
        'Permite que um provedor reconheça uma requisição repetida (a opção `idempotencyKey` do Stripe, o cabeçalho `Idempotency-Key` de muitas APIs HTTP): a primeira requisição com uma chave executa e o resultado fica guardado; um retry com a mesma chave recebe esse resultado em vez de cobrar ou enviar de novo. Monte a chave a partir de um identificador estável da operação — o id do pedido ou do pagamento, o id do evento do webhook — para que todo retry, depois de um timeout ou de uma queda, envie a mesma chave; um valor aleatório gerado a cada tentativa faz cada retry parecer novo. O Stripe guarda as chaves por pelo menos 24 horas e rejeita uma chave reutilizada com parâmetros diferentes.',
    },
  },
};
