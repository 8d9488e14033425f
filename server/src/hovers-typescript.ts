// Short documentation shown when hovering application-side APIs in TypeScript/JavaScript that matter
// for distributed correctness: AbortSignal.timeout, the NX/PX/EX options of Redis SET, idempotency
// keys. Facts from the skills, in the project's own words. Where each one shows is decided in
// hover-typescript.ts.

import type { Locale } from './locale';

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
      en: 'A signal that aborts by itself after `ms` milliseconds. Given as `signal` to `fetch` (or to axios, undici, node:http), it bounds the whole call — connecting, waiting for the headers and reading the body — and the call rejects with a `TimeoutError`. Create it right before the call: the countdown starts when the signal is made, so one stored in options built at startup has long expired. To honour a caller\'s cancellation too, combine them: `AbortSignal.any([callerSignal, AbortSignal.timeout(ms)])`. Without a signal, a call to a server that stops answering waits as long as the connection lives, holding whatever awaits it.',
      'pt-BR': 'Um signal que aborta sozinho depois de `ms` milissegundos. Passado como `signal` ao `fetch` (ou ao axios, undici, node:http), limita a chamada inteira — conexão, espera pelos cabeçalhos e leitura do corpo — e a chamada rejeita com um `TimeoutError`. Crie-o logo antes da chamada: a contagem começa quando o signal é criado, então um guardado em opções montadas na inicialização já expirou há muito. Para respeitar também o cancelamento de quem chama, combine os dois: `AbortSignal.any([signalDeQuemChama, AbortSignal.timeout(ms)])`. Sem signal, uma chamada a um servidor que para de responder espera enquanto a conexão viver, prendendo tudo que a aguarda.',
    },
  },
  redisNx: {
    title: 'Redis SET … NX',
    skill: 'armadilhas-sistemas-distribuidos — REGRA #2, anti-pattern 2; sistemas-distribuidos — distributed locks',
    text: {
      en: '`NX` makes `SET` write only when the key does not exist yet (otherwise it answers nil): a single atomic step, so of several processes racing for the key exactly one wins. That is how a Redis lock is taken. Always give it an expiry (`PX`/`EX`) so a crashed holder\'s lock goes away, store a value unique to the holder, and release with an atomic compare-and-delete (a script that deletes only if the value is still yours). The expiry can run out while the holder is paused (garbage collection, a slow call), so writes made under the lock still need a fencing token that the storage checks.',
      'pt-BR': '`NX` faz o `SET` gravar só quando a chave ainda não existe (senão responde nil): um único passo atômico, então entre vários processos disputando a chave exatamente um vence. É assim que se pega um lock no Redis. Dê sempre uma expiração (`PX`/`EX`) para que o lock de um detentor que caiu desapareça, guarde um valor único do detentor e libere com um compare-and-delete atômico (um script que só apaga se o valor ainda for seu). A expiração pode vencer enquanto o detentor está pausado (garbage collection, uma chamada lenta), então escritas feitas sob o lock ainda precisam de um fencing token conferido pelo armazenamento.',
    },
  },
  redisExpiry: {
    title: 'Redis SET … PX / EX',
    skill: 'armadilhas-sistemas-distribuidos — REGRA #2, anti-pattern 2; sistemas-distribuidos — distributed locks',
    text: {
      en: '`PX` gives the key a time to live in milliseconds, `EX` in seconds, in the same command as the write, so the key never exists without its expiry. For a lock this is a lease: it frees the lock when the holder dies, but also while a slow or paused holder still believes it owns it, because Redis counts the time, not the holder. Make it longer than the work done under the lock, renew it when the work can run long, and protect the writes with a fencing token.',
      'pt-BR': '`PX` dá à chave um tempo de vida em milissegundos, `EX` em segundos, no mesmo comando da escrita, então a chave nunca existe sem a expiração. Num lock isso é um lease: libera o lock quando o detentor morre, mas também enquanto um detentor lento ou pausado ainda acredita ser o dono, porque quem conta o tempo é o Redis, não o detentor. Faça-o maior que o trabalho feito sob o lock, renove-o quando o trabalho puder demorar e proteja as escritas com um fencing token.',
    },
  },
  idempotencyKey: {
    title: 'Idempotency key',
    skill: 'sistemas-distribuidos — idempotency; armadilhas-sistemas-distribuidos — anti-pattern 4; distributed-systems-fundamentals — Minimal Distributed Hygiene (3)',
    text: {
      en: 'Lets a provider recognise a repeated request (Stripe\'s `idempotencyKey` option, the `Idempotency-Key` header of many HTTP APIs): the first request with a key runs and its result is stored; a retry with the same key gets that result back instead of charging or sending again. Build the key from a stable identifier of the operation — the order or payment id, the webhook event id — so that every retry, after a timeout or a crash, sends the same key; a random value made on each attempt makes every retry look new. Stripe keeps keys for at least 24 hours and rejects a key reused with different parameters.',
      'pt-BR': 'Permite que um provedor reconheça uma requisição repetida (a opção `idempotencyKey` do Stripe, o cabeçalho `Idempotency-Key` de muitas APIs HTTP): a primeira requisição com uma chave executa e o resultado fica guardado; um retry com a mesma chave recebe esse resultado em vez de cobrar ou enviar de novo. Monte a chave a partir de um identificador estável da operação — o id do pedido ou do pagamento, o id do evento do webhook — para que todo retry, depois de um timeout ou de uma queda, envie a mesma chave; um valor aleatório gerado a cada tentativa faz cada retry parecer novo. O Stripe guarda as chaves por pelo menos 24 horas e rejeita uma chave reutilizada com parâmetros diferentes.',
    },
  },
};
