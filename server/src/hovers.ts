// Short documentation shown when hovering SQL keywords and functions that matter for distributed
// correctness. Facts from the skills, in the project's own words.

import type { Locale } from './locale';

export interface KeywordHover {
  /** Lower-cased words that show this entry (function names, or a keyword). */
  words: string[];
  /** When set, the word must be followed by this token (e.g. ON followed by CONFLICT). */
  title: string;
  text: Record<Locale, string>;
  skill: string;
}

export const KEYWORD_HOVERS: KeywordHover[] = [
  {
    words: ['clock_timestamp', 'timeofday'],
    title: 'clock_timestamp() / timeofday()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: 'Reads the real-time wall clock at the moment of the call: it changes on every call, even inside one statement, and NTP corrections can move it backwards or forwards. Good for measuring elapsed time inside a transaction; never for expiry, TTLs, leases or ordering rows across nodes (use `now()` and sequences). `timeofday()` is the same clock as text.',
      'pt-BR': 'Lê o relógio de parede real no momento da chamada: muda a cada chamada, mesmo dentro de um comando, e correções do NTP podem movê-lo para trás ou para frente. Bom para medir tempo decorrido dentro de uma transação; nunca para expiração, TTL, lease ou ordenar linhas entre nós (use `now()` e sequences). `timeofday()` é o mesmo relógio, como texto.',
    },
  },
  {
    words: ['now', 'transaction_timestamp', 'current_timestamp'],
    title: 'now() / transaction_timestamp() / current_timestamp',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: 'The start time of the current transaction: every call inside the transaction returns the same value. The right choice for `created_at`/`updated_at` defaults and for persisted expiry (`expires_at = now() + interval \'7 days\'`, checked with `expires_at > now()`). It does not advance during a transaction, so it cannot measure elapsed time there.',
      'pt-BR': 'O início da transação atual: toda chamada dentro da transação devolve o mesmo valor. A escolha certa para defaults de `created_at`/`updated_at` e para expiração gravada (`expires_at = now() + interval \'7 days\'`, conferida com `expires_at > now()`). Não avança durante a transação, então não serve para medir tempo decorrido nela.',
    },
  },
  {
    words: ['statement_timestamp'],
    title: 'statement_timestamp()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-01',
    text: {
      en: 'The start time of the current statement: it differs between statements of the same transaction. Useful for per-statement latency (`clock_timestamp() - statement_timestamp()`); not for expiry, because two statements of one transaction would disagree about the time.',
      'pt-BR': 'O início do comando atual: difere entre comandos da mesma transação. Útil para latência por comando (`clock_timestamp() - statement_timestamp()`); não para expiração, porque dois comandos de uma transação discordariam sobre a hora.',
    },
  },
  {
    words: ['pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_try_advisory_lock', 'pg_try_advisory_xact_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock_shared', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock_shared', 'pg_advisory_unlock', 'pg_advisory_unlock_shared', 'pg_advisory_unlock_all'],
    title: 'Advisory locks',
    skill: 'postgres-isolamento-concorrencia — REQ ISOLAMENTO-03 (c); armadilhas-sistemas-distribuidos — REQ ARMADILHAS-02',
    text: {
      en: 'A lock on an application-chosen number (often `hashtext(\'name\')`), not on a row. `pg_advisory_xact_lock` is released automatically at commit or rollback; `pg_advisory_lock` is held by the session until `pg_advisory_unlock`. The `try` variants return false instead of waiting; `_shared` variants only exclude exclusive holders. A lock does not protect against a holder that paused and came back late: pair it with a fencing token (`nextval` of a sequence) that every write checks.',
      'pt-BR': 'Um lock sobre um número escolhido pela aplicação (muitas vezes `hashtext(\'nome\')`), não sobre uma linha. `pg_advisory_xact_lock` é liberado sozinho no commit ou rollback; `pg_advisory_lock` fica com a sessão até `pg_advisory_unlock`. As variantes `try` devolvem false em vez de esperar; as `_shared` só excluem detentores exclusivos. Um lock não protege contra um detentor que pausou e voltou atrasado: combine-o com um fencing token (`nextval` de uma sequence) conferido por toda escrita.',
    },
  },
  {
    words: ['nextval', 'currval'],
    title: 'nextval() / currval()',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-02',
    text: {
      en: '`nextval(\'seq\')` returns a strictly increasing number even under concurrency (sequences are not rolled back), which makes it a good fencing token and a good ordering key across nodes. `currval(\'seq\')` returns the value this session last obtained from `nextval`, so a later statement of the same session can reuse the token.',
      'pt-BR': '`nextval(\'seq\')` devolve um número estritamente crescente mesmo sob concorrência (sequences não sofrem rollback), o que o torna um bom fencing token e uma boa chave de ordenação entre nós. `currval(\'seq\')` devolve o último valor que esta sessão obteve de `nextval`, então um comando posterior da mesma sessão pode reusar o token.',
    },
  },
  {
    words: ['conflict'],
    title: 'INSERT … ON CONFLICT',
    skill: 'armadilhas-sistemas-distribuidos — REQ ARMADILHAS-05; streams-eventos-cdc — REQ STREAMS-04',
    text: {
      en: 'Makes an insert idempotent: when a row with the same unique key already exists, `DO NOTHING` skips it and `DO UPDATE SET …` updates it instead of failing with a unique violation. The conflict target must match a unique index or constraint whose columns the insert supplies; a retried webhook or a redelivered queue message then changes nothing the second time.',
      'pt-BR': 'Torna um insert idempotente: quando já existe uma linha com a mesma chave única, `DO NOTHING` a ignora e `DO UPDATE SET …` a atualiza em vez de falhar com unique violation. O alvo do conflito precisa corresponder a um índice ou constraint única cujas colunas o insert fornece; um webhook repetido ou uma mensagem reentregue não muda nada na segunda vez.',
    },
  },
];

const byWord = new Map<string, KeywordHover>();
for (const hover of KEYWORD_HOVERS) for (const word of hover.words) byWord.set(word, hover);

export function keywordHover(word: string): KeywordHover | undefined {
  return byWord.get(word.toLowerCase());
}
