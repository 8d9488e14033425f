import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { defineRule, type Edit, type FixProposal, type RuleContext, type Severity } from '../core/rule';
import { inServerEntry, isBrowserCode } from './require-network-timeout.browser-code';
import { clientFactoryOf, factoryOptionsIndex, httpCallOf, TIMEOUT_KEYS, type ClientFactory, type HttpCall, type HttpClient } from './typescript/http-clients';
import { httpDocumentIndex, streamedResponseType, transfersBody, uploadsBody } from './require-network-timeout.http-responses';
import { isTestCode } from '../languages/typescript/test-code';
import { resolveValue, unwrap } from './typescript/ts-declarations';
import { addArgumentEdit, addPropertyEdit } from './typescript/ts-edits';
import { nodeRange, objectProperty } from './typescript/ts-effects';

/** Instance options that bound requests (a signal or dispatcher given to a factory is not one). */
const FACTORY_KEYS: Record<ClientFactory['client'], string[]> = { axios: ['timeout'], got: ['timeout'], undici: ['headersTimeout', 'bodyTimeout'] };

export default defineRule({
  id: 'require-network-timeout',
  severity: 'warning',
  languages: ['ts'],
  fix: 'safe',
  skill: {
    name: 'distributed-systems-fundamentals',
    section: 'Eight Fallacies (1: the network is reliable); Minimal Distributed Hygiene (1: timeouts); sistemas-distribuidos — anti-patterns (no timeouts)',
  },
  settings: [
    {
      key: 'defaultTimeoutMs',
      default: 10000,
      description: {
        en: 'Timeout in milliseconds that the fixes of require-network-timeout write (AbortSignal.timeout(…), timeout: …).',
        'pt-BR': 'Timeout em milissegundos que as correções de require-network-timeout escrevem (AbortSignal.timeout(…), timeout: …).',
      },
    },
    {
      key: 'browserNetworkTimeout',
      default: 'info',
      description: {
        en: 'Level of require-network-timeout findings in browser code (React components, "use client" files, files that import react or touch window/document): off, hint, info, warning or error. Server code keeps the rule\'s own level.',
        'pt-BR':
          'Nível dos achados de require-network-timeout em código de navegador (componentes React, arquivos "use client", arquivos que importam react ou usam window/document): off, hint, info, warning ou error. Código de servidor mantém o nível da própria regra.',
      },
    },
  ],
  text: {
    en: {
      message:
        "{call}(…) {what}: if the server accepts the connection and then stops answering, the request and everything awaiting it wait until the runtime gives up (minutes for Node's fetch and undici, never for others) or the connection drops. {how}",
      summary: 'Every outbound HTTP call needs a timeout of its own.',
      rationale:
        "The network is not reliable: a peer can accept a connection and never answer, a load balancer can hold a request, a packet can vanish. A call without a deadline then waits as long as the socket lives: Node's built-in fetch gives up only after minutes of silence, other runtimes never do. Meanwhile the request, job or Edge Function that awaits it holds its worker, its memory and often a database connection, so one slow dependency drains the whole pool and turns into an outage upstream.",
      remedy:
        'Give each call a deadline that fits the caller\'s own budget: `signal: AbortSignal.timeout(ms)` for fetch (join it with a caller\'s signal through `AbortSignal.any([...])`), `timeout` in the axios config or instance, `timeout: { request: ms }` for got, `headersTimeout`/`bodyTimeout` for undici, a `signal` for node:http. Treat the timeout as a failure like any other: retry with backoff and jitter when the operation is idempotent, otherwise report it. A signal from `AbortSignal.timeout` also bounds the reading of the body: when the body is streamed, proxied, downloaded or uploaded, the fix is offered but not applied on save; there, abort on a timer that is cleared once the response has started, or give the transfer a deadline of its own. In browser code (React components, "use client" modules, code that uses window or document) findings are information by default: set `armadilha.levels.browserNetworkTimeout` to change that.',
      fixes: { addSignal: 'Add signal: AbortSignal.timeout({ms})', addTimeout: 'Add timeout: {ms}' },
      variants: {
        request: 'sets no timeout of its own',
        instance: 'creates a client without a timeout, so every request made through it has none',
        undiciInstance: "creates a dispatcher without headersTimeout/bodyTimeout, so its requests wait up to undici's 5-minute defaults",
        fetch: 'Pass `signal: AbortSignal.timeout({ms})` in the init object.',
        axios: 'Set `timeout: {ms}` in the config.',
        got: 'Set `timeout: { request: {ms} }` in the options.',
        undici: 'Set `headersTimeout` and `bodyTimeout` (or a `signal`) in the options.',
        http: 'Pass `signal: AbortSignal.timeout({ms})` in the options (the `timeout` option alone only emits an event; the request keeps waiting unless it is aborted).',
      },
    },
    'pt-BR': {
      message:
        '{call}(…) {what}: se o servidor aceitar a conexão e parar de responder, a requisição e tudo que a aguarda esperam até o runtime desistir (minutos no fetch do Node e no undici, nunca nos outros) ou a conexão cair. {how}',
      summary: 'Toda chamada HTTP de saída precisa de um timeout próprio.',
      rationale:
        'A rede não é confiável: um par pode aceitar a conexão e nunca responder, um balanceador pode segurar a requisição, um pacote pode sumir. Uma chamada sem prazo então espera enquanto o socket viver: o fetch nativo do Node só desiste depois de minutos de silêncio, outros runtimes nunca desistem. Enquanto isso, a requisição, o job ou a Edge Function que a aguarda prende seu worker, sua memória e muitas vezes uma conexão com o banco, e uma única dependência lenta esgota o pool inteiro e vira indisponibilidade mais acima.',
      remedy:
        'Dê a cada chamada um prazo compatível com o orçamento de quem chama: `signal: AbortSignal.timeout(ms)` no fetch (junte-o ao signal de quem chama com `AbortSignal.any([...])`), `timeout` na config ou na instância do axios, `timeout: { request: ms }` no got, `headersTimeout`/`bodyTimeout` no undici, um `signal` no node:http. Trate o timeout como qualquer outra falha: retry com backoff e jitter quando a operação for idempotente, senão reporte o erro. Um signal de `AbortSignal.timeout` também limita a leitura do corpo: quando o corpo é transmitido em stream, repassado, baixado ou enviado como upload, a correção é oferecida mas não aplicada ao salvar; nesses casos, aborte por um timer que é limpo quando a resposta começa, ou dê à transferência um prazo próprio. Em código de navegador (componentes React, módulos "use client", código que usa window ou document) os achados são informativos por padrão: ajuste `armadilha.levels.browserNetworkTimeout` para mudar isso.',
      fixes: { addSignal: 'Adicionar signal: AbortSignal.timeout({ms})', addTimeout: 'Adicionar timeout: {ms}' },
      variants: {
        request: 'não define timeout próprio',
        instance: 'cria um cliente sem timeout, então nenhuma requisição feita por ele tem um',
        undiciInstance: 'cria um dispatcher sem headersTimeout/bodyTimeout, então suas requisições esperam até os 5 minutos padrão do undici',
        fetch: 'Passe `signal: AbortSignal.timeout({ms})` no objeto init.',
        axios: 'Defina `timeout: {ms}` na config.',
        got: 'Defina `timeout: { request: {ms} }` nas opções.',
        undici: 'Defina `headersTimeout` e `bodyTimeout` (ou um `signal`) nas opções.',
        http: 'Passe `signal: AbortSignal.timeout({ms})` nas opções (a opção `timeout` sozinha só emite um evento; a requisição continua esperando se não for abortada).',
      },
    },
  },
  examples: {
    invalid: [
      {
        language: 'ts',
        code: [
          'export async function loadCustomer(id: string) {',
          '  const response = await fetch(`https://api.example.com/customers/${id}`);',
          '  return response.json();',
          '}',
        ].join('\n'),
        fixed: [
          'export async function loadCustomer(id: string) {',
          '  const response = await fetch(`https://api.example.com/customers/${id}`, { signal: AbortSignal.timeout(10000) });',
          '  return response.json();',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          'Deno.serve(async (request) => {',
          "  const upstream = await fetch('https://hooks.example.com/notify', {",
          "    method: 'POST',",
          '    body: await request.text(),',
          '  });',
          '  return new Response(null, { status: upstream.status });',
          '});',
        ].join('\n'),
        fixed: [
          'Deno.serve(async (request) => {',
          "  const upstream = await fetch('https://hooks.example.com/notify', {",
          "    method: 'POST',",
          '    body: await request.text(),',
          '    signal: AbortSignal.timeout(10000),',
          '  });',
          '  return new Response(null, { status: upstream.status });',
          '});',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import axios from 'axios';",
          '',
          'export async function notifyShipping(orderId: string) {',
          "  await axios.post('https://shipping.example.com/orders', { orderId });",
          '}',
        ].join('\n'),
        fixed: [
          "import axios from 'axios';",
          '',
          'export async function notifyShipping(orderId: string) {',
          "  await axios.post('https://shipping.example.com/orders', { orderId }, { timeout: 10000 });",
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: ["import axios from 'axios';", '', "export const billing = axios.create({ baseURL: 'https://billing.example.com' });"].join('\n'),
        fixed: ["import axios from 'axios';", '', "export const billing = axios.create({ baseURL: 'https://billing.example.com', timeout: 10000 });"].join(
          '\n',
        ),
      },
      {
        language: 'ts',
        code: ["import got from 'got';", '', "export const rates = () => got('https://rates.example.com/latest').json();"].join('\n'),
      },
      {
        language: 'ts',
        // A proxied body: the fix is offered but never applied on save (a total deadline would cut a long download).
        code: [
          'export async function proxyDownload(request: Request) {',
          '  const upstream = await fetch(`https://files.example.com${new URL(request.url).pathname}`);',
          '  return new Response(upstream.body, { status: upstream.status });',
          '}',
        ].join('\n'),
      },
    ],
    valid: [
      { language: 'ts', code: "const response = await fetch('https://api.example.com/health', { signal: AbortSignal.timeout(3000) });" },
      {
        language: 'ts',
        code: [
          'export async function proxy(url: string, callerSignal: AbortSignal) {',
          '  const init = { signal: AbortSignal.any([callerSignal, AbortSignal.timeout(5000)]) };',
          '  return fetch(url, init);',
          '}',
        ].join('\n'),
      },
      {
        language: 'ts',
        code: 'export const get = (url: string, options: RequestInit) => fetch(url, { ...options, headers: { accept: "application/json" } });',
      },
      {
        language: 'ts',
        code: [
          'const controller = new AbortController();',
          'setTimeout(() => controller.abort(), 2000);',
          "await fetch('https://api.example.com/slow', { signal: controller.signal });",
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import axios from 'axios';",
          '',
          "const api = axios.create({ baseURL: 'https://api.example.com', timeout: 5000 });",
          "export const me = () => api.get('/me');",
        ].join('\n'),
      },
      {
        language: 'ts',
        code: [
          "import { createClient } from '@supabase/supabase-js';",
          '',
          "const supabase = createClient('https://x.supabase.co', 'key');",
          "export const plans = () => supabase.from('plans').select('*');",
        ].join('\n'),
      },
      {
        language: 'ts',
        code: 'export default { fetch: (request: Request, env: { ASSETS: { fetch(r: Request): Promise<Response> } }) => env.ASSETS.fetch(request) };',
      },
      {
        language: 'ts',
        code: [
          "import PgBoss from 'pg-boss';",
          '',
          '// Methods that share the name are not HTTP calls: pg-boss takes jobs from a table.',
          'export class Orders {',
          '  constructor(private readonly boss: PgBoss) {}',
          '  async fetch(id: string) {',
          '    return this.boss.fetch(`order-${id}`);',
          '  }',
          '  async refresh(id: string) {',
          '    return this.fetch(id);',
          '  }',
          '}',
        ].join('\n'),
      },
    ],
  },
  check(context) {
    const model = context.typescript;
    // Test code runs under the test runner's time limit, against local services.
    if (!model || isTestCode(context)) return;
    const ms = context.number('defaultTimeoutMs');
    // Browser code is reported at its own level (information by default): a user can reload a page,
    // while a server's request holds a worker and its pool.
    const browserLevel = isBrowserCode(context) ? context.level('browserNetworkTimeout') : undefined;
    for (const scope of model.functions) {
      // A route module's loader or action runs on the server, next to the component it feeds.
      const severity = browserLevel && inServerEntry(context, scope.node) ? undefined : browserLevel;
      if (severity === 'off') continue;
      for (const site of scope.calls) {
        context.spend();
        const http = httpCallOf(context, site);
        // fetch('/api/…'): a path without a host resolves only against a page's origin: browser code.
        const callSeverity = severity ?? (http?.client === 'fetch' && relativeUrl(http.call.node) ? context.level('browserNetworkTimeout') : undefined);
        if (callSeverity === 'off') continue;
        if (http) checkRequest(context, http, scope.node, ms, callSeverity);
        else {
          const factory = clientFactoryOf(context, site);
          if (factory) checkFactory(context, factory, ms, severity);
        }
      }
    }
  },
});

function relativeUrl(node: TS.CallExpression | TS.TaggedTemplateExpression | TS.NewExpression): boolean {
  const first = ts.isCallExpression(node) ? node.arguments[0] : undefined;
  if (!first) return false;
  const text =
    ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first) ? first.text : ts.isTemplateExpression(first) ? first.head.text : undefined;
  return !!text && text.startsWith('/') && !text.startsWith('//');
}

type OptionsState = { kind: 'set' } | { kind: 'absent' } | { kind: 'missing'; object: TS.ObjectLiteralExpression; through?: TS.Identifier };

/**
 * Whether an options argument bounds the call: 'set' also when it cannot be told (a parameter, a
 * spread, a call's result), because such options may carry the timeout.
 */
function optionsState(context: RuleContext, argument: TS.Expression | undefined, keys: readonly string[]): OptionsState {
  const written = unwrap(argument);
  if (!written) return { kind: 'absent' };
  const value = resolveValue(written);
  // https.get(url, (response) => …): a callback where the options could be.
  if (value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value))) return { kind: 'absent' };
  if (!value || !ts.isObjectLiteralExpression(value)) return { kind: 'set' };
  if (value.properties.some((property) => ts.isSpreadAssignment(property))) return { kind: 'set' };
  if (keys.some((key) => objectProperty(value, key) !== undefined)) return { kind: 'set' };
  const through = ts.isIdentifier(written) ? written : undefined;
  // init.signal = …, options.timeout = … after the declaration.
  const assigned = httpDocumentIndex(context).assigned;
  if (through && keys.some((key) => assigned.has(`${through.text}.${key}`))) return { kind: 'set' };
  return { kind: 'missing', object: value, through };
}

function checkRequest(context: RuleContext, http: HttpCall, scope: TS.Node, ms: number, severity: Severity | undefined): void {
  // Requests through an instance are bounded (or reported) where the instance is created.
  if (http.instance && http.client !== 'fetch') return;
  if (hasGlobalTimeout(context, http.client, http.call.callee.split('.')[0])) return;
  const node = http.call.node;
  if (http.client === 'fetch' && (isRaced(node) || requestCarriesSignal(context, node.arguments[0]))) return;
  if (http.client === 'http' && requestTimerSet(context, node)) return;
  const options = node.arguments[http.optionsIndex];
  const state = optionsState(context, options, timeoutKeys(context, http));
  if (state.kind === 'set') return;
  const fixable = http.client === 'fetch' || http.client === 'axios';
  const property = http.client === 'fetch' ? `signal: AbortSignal.timeout(${ms})` : `timeout: ${ms}`;
  // A total deadline also cuts the reading of a streamed, proxied or downloaded body.
  const transfer =
    (!http.parsesBody && transfersBody(context, node, scope)) || streamedResponseType(resolveValue(options)) || uploadsBody(resolveValue(options));
  const fixes = fixable ? [fixProposal(context, node, http.optionsIndex, state, property, http.client === 'fetch' ? 'addSignal' : 'addTimeout', ms)] : [];
  context.report({
    ...nodeRange(context.typescript!, node.expression),
    data: { call: http.call.callee, ms },
    variants: { what: 'request', how: http.client },
    severity,
    fixes: transfer ? fixes.map((fix) => ({ ...fix, safe: false })) : fixes,
  });
}

function checkFactory(context: RuleContext, factory: ClientFactory, ms: number, severity: Severity | undefined): void {
  const node = factory.call.node;
  const index = factoryOptionsIndex(factory);
  const state = optionsState(context, node.arguments?.[index], FACTORY_KEYS[factory.client]);
  if (state.kind === 'set') return;
  const instance = factory.instance;
  if (instance && (httpDocumentIndex(context).assigned.has(`${instance}.defaults.timeout`) || everyRequestBounded(context, instance))) return;
  const fixable = factory.client === 'axios' && ts.isCallExpression(node);
  context.report({
    ...nodeRange(context.typescript!, node.expression),
    data: { call: factory.call.callee, ms },
    variants: { what: factory.client === 'undici' ? 'undiciInstance' : 'instance', how: factory.client },
    severity,
    fixes: fixable ? [fixProposal(context, node, index, state, `timeout: ${ms}`, 'addTimeout', ms)] : [],
  });
}

function fixProposal(
  context: RuleContext,
  call: TS.CallExpression,
  index: number,
  state: Exclude<OptionsState, { kind: 'set' }>,
  property: string,
  key: string,
  ms: number,
): FixProposal {
  let edits: Edit[];
  if (state.kind === 'absent') {
    // axios.post(url) → axios.post(url, undefined, { timeout }): the config goes third.
    const padding = Array.from({ length: Math.max(0, index - call.arguments.length) }, () => 'undefined, ').join('');
    edits = [addArgumentEdit(context.text, call, `${padding}{ ${property} }`)];
  } else if (state.through) {
    // The options object may be shared by other calls (and a timeout signal starts counting when it
    // is created): this call gets a copy with the deadline, made at the call.
    edits = [{ ...nodeRange(context.typescript!, state.through), text: `{ ...${state.through.text}, ${property} }` }];
  } else edits = [addPropertyEdit(context.text, state.object, property)];
  return { key, data: { ms }, edits };
}

// node-fetch 2 and ofetch read a `timeout` option of their own; the platform's fetch ignores it.
function timeoutKeys(context: RuleContext, http: HttpCall): readonly string[] {
  if (http.client !== 'fetch') return TIMEOUT_KEYS[http.client];
  const callee = unwrap(http.call.node.expression);
  const module = ts.isIdentifier(callee) ? (context.typescript!.imports.get(callee.text)?.module ?? '') : '';
  return /node-fetch|ofetch/.test(module) ? [...TIMEOUT_KEYS.fetch, 'timeout'] : TIMEOUT_KEYS.fetch;
}

/**
 * Every request through an instance passes its own timeout (and there is at least one): requests
 * made on it (`api.get(url, { timeout })`), or fetch calls given it as their dispatcher together
 * with a signal (`fetch(url, { dispatcher: agent, signal })`).
 */
function everyRequestBounded(context: RuleContext, instance: string): boolean {
  const requests = context.memo('requestsByInstance', () => {
    const byInstance = new Map<string, { bounded: number; unbounded: number }>();
    const count = (name: string, bounded: boolean) => {
      const entry = byInstance.get(name) ?? { bounded: 0, unbounded: 0 };
      if (bounded) entry.bounded++;
      else entry.unbounded++;
      byInstance.set(name, entry);
    };
    for (const scope of context.typescript!.functions) {
      for (const site of scope.calls) {
        context.spend();
        const http = httpCallOf(context, site);
        if (!http) continue;
        const options = http.call.node.arguments[http.optionsIndex];
        const root = site.callee.split('.')[0];
        if (http.instance === root) count(root, optionsState(context, options, TIMEOUT_KEYS[http.client]).kind === 'set');
        const dispatcher = unwrap(objectProperty(resolveValue(options), 'dispatcher'));
        if (dispatcher && ts.isIdentifier(dispatcher)) count(dispatcher.text, optionsState(context, options, ['signal']).kind === 'set');
      }
    }
    return byInstance;
  });
  const entry = requests.get(instance);
  return !!entry && entry.bounded > 0 && entry.unbounded === 0;
}

// axios.defaults.timeout = …; setGlobalDispatcher(new Agent({ headersTimeout })) for undici and for
// Node's fetch, which runs on undici's global dispatcher.
function hasGlobalTimeout(context: RuleContext, client: HttpClient, root: string): boolean {
  if (client === 'axios') return httpDocumentIndex(context).assigned.has(`${root}.defaults.timeout`);
  if (client !== 'fetch' && client !== 'undici') return false;
  return context.memo('globalDispatcherTimeout', () => {
    for (const scope of context.typescript!.functions) {
      for (const site of scope.calls) {
        context.spend();
        if (site.method !== 'setGlobalDispatcher' || !ts.isCallExpression(site.node)) continue;
        const dispatcher = resolveValue(site.node.arguments[0]);
        if (!dispatcher || !ts.isNewExpression(dispatcher)) return true;
        const options = dispatcher.arguments?.[dispatcher.arguments.length - 1];
        if (optionsState(context, options, FACTORY_KEYS.undici).kind === 'set') return true;
      }
    }
    return false;
  });
}

/** https.get(…).setTimeout(ms), or `const req = https.request(…)` and later req.setTimeout(…) / req.on('timeout', …). */
function requestTimerSet(context: RuleContext, node: TS.CallExpression): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'setTimeout') return true;
  if (!ts.isVariableDeclaration(parent) || !ts.isIdentifier(parent.name)) return false;
  return httpDocumentIndex(context).timed.has(parent.name.text);
}

/** fetch(…) raced against a timer: Promise.race([fetch(…), timeout]), also with `.catch(…)` or `.then(…)` after it. */
function isRaced(node: TS.CallExpression): boolean {
  let current: TS.Node = node;
  for (;;) {
    const parent = current.parent;
    if (ts.isAwaitExpression(parent) || ts.isParenthesizedExpression(parent)) current = parent;
    else if (
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === current &&
      /^(then|catch|finally)$/.test(parent.name.text) &&
      ts.isCallExpression(parent.parent)
    )
      current = parent.parent;
    else break;
  }
  current = current.parent;
  if (!ts.isArrayLiteralExpression(current) || !ts.isCallExpression(current.parent)) return false;
  const callee = current.parent.expression;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'race';
}

/**
 * The first argument is a Request that brings its own signal: one built here with a signal (or
 * options that cannot be read), or a received request being forwarded (`event.request` in a service
 * worker, a handler's `req`), whose signal ends when its caller gives up.
 */
function requestCarriesSignal(context: RuleContext, argument: TS.Expression | undefined): boolean {
  const written = unwrap(argument);
  if (!written) return false;
  if (ts.isPropertyAccessExpression(written) && written.name.text === 'request') return true;
  const value = resolveValue(written);
  if (value && ts.isIdentifier(value) && /^(req|request)$/i.test(value.text)) return true;
  if (value && ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Request') {
    return optionsState(context, value.arguments?.[1], TIMEOUT_KEYS.fetch).kind === 'set';
  }
  return false;
}
