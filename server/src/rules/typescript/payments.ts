// Calls that charge, refund or create billable objects, and whether they carry an idempotency key:
// Stripe SDK mutations (the `idempotencyKey` request option, after the params) and POSTs to payment
// APIs through fetch/axios (an `Idempotency-Key` header, or the provider's own header name).
// require-idempotency-key reports the ones without a key; no-side-effect-before-commit leaves them to
// it and counts the keyed ones as safe to repeat.

import type * as TS from 'typescript';
import { ts } from '../../languages/typescript/project';
import type { CallSite } from '../../languages/typescript/ts-file';
import type { RuleContext, RuleSetting } from '../../core/rule';
import { httpCallOf, type HttpCall } from './http-clients';
import { changingValue, type ChangingValue, type ImportedName } from './idempotency-keys';
import { matchesAnyExactly } from '../../core/names';
import { resolveValue, unwrap } from './ts-declarations';
import { objectProperty, propertyNameText } from './ts-effects';

export const STRIPE_MUTATIONS: RuleSetting = {
  key: 'stripeMutations',
  default: ['*.create', '*.confirm', '*.capture', '*.pay', '*.createReversal', '*.createRefund', '*.incrementAuthorization', '*.createBalanceTransaction'],
  description: {
    en: 'Stripe SDK methods (globs over `resource.method`, e.g. `refunds.create`) that charge, refund or create an object, and so need an idempotency key.',
    'pt-BR':
      'Métodos do SDK do Stripe (globs sobre `recurso.método`, ex.: `refunds.create`) que cobram, reembolsam ou criam um objeto e por isso precisam de chave de idempotência.',
  },
};

export const STRIPE_KEYLESS_CALLS: RuleSetting = {
  key: 'stripeKeylessCalls',
  default: [
    'checkout.sessions.create',
    'billingPortal.sessions.create',
    'customerSessions.create',
    'accountSessions.create',
    'accountLinks.create',
    'ephemeralKeys.create',
    'tokens.create',
    'fxQuotes.create',
    'tax.calculations.create',
    'apps.secrets.create',
    'radar.valueListItems.create',
  ],
  description: {
    en: 'Stripe SDK methods whose repeat is harmless, so they need no key: a short-lived session, link, token or quote, a computation (a tax calculation), a secret set by name (created or replaced), an entry of a Radar value list.',
    'pt-BR':
      'Métodos do SDK do Stripe cuja repetição não causa dano, então não precisam de chave: uma sessão, link, token ou cotação de vida curta, um cálculo (de imposto), um segredo gravado por nome (criado ou substituído), uma entrada de lista de valores do Radar.',
  },
};

export const PAYMENT_API_HOSTS: RuleSetting = {
  key: 'paymentApiHosts',
  default: [
    'api.stripe.com',
    'api.mercadopago.com',
    'api-m.paypal.com',
    'api-m.sandbox.paypal.com',
    'api.pagar.me',
    '*.adyen.com',
    'api.checkout.com',
    'api.sandbox.checkout.com',
    'api.gocardless.com',
    'api-sandbox.gocardless.com',
    'api.mollie.com',
  ],
  description: {
    en: 'Hosts of payment APIs (exact names or globs with *); a fetch/axios POST to them needs an idempotency key header.',
    'pt-BR': 'Hosts de APIs de pagamento (nomes exatos ou globs com *); um POST via fetch/axios para eles precisa de um header de chave de idempotência.',
  },
};

export const IDEMPOTENCY_HEADERS: RuleSetting = {
  key: 'idempotencyHeaders',
  default: ['Idempotency-Key', 'X-Idempotency-Key', 'PayPal-Request-Id', 'Cko-Idempotency-Key'],
  description: {
    en: 'HTTP header names that carry an idempotency key (compared without case); a request that sends one is safe to repeat, unless its value is new on every attempt (randomUUID(), Date.now()).',
    'pt-BR':
      'Nomes de headers HTTP que levam uma chave de idempotência (comparados sem diferenciar maiúsculas); uma requisição que envia um deles pode ser repetida com segurança, a menos que o valor seja novo a cada tentativa (randomUUID(), Date.now()).',
  },
};

export const READ_ONLY_POST_PATHS: RuleSetting = {
  key: 'readOnlyPostPaths',
  default: [
    '*/oauth/*',
    '*/oauth2/*',
    '*/token',
    '*/search',
    '*/graphql',
    '*/completions',
    '*/embeddings',
    '*/paymentMethods',
    '*/sessions',
    '*/preferences',
    '*/metric_query',
    '*/create_preview',
    '*/tax/calculations',
    '*/fx_quotes',
  ],
  description: {
    en: 'URL paths (globs with *) of POST endpoints that read, compute or open a short-lived session or quote instead of changing something (token exchange, search, GraphQL, LLM completions, checkout sessions, Stripe reporting queries, invoice previews, tax calculations, FX quotes): repeating them is harmless.',
    'pt-BR':
      'Caminhos de URL (globs com *) de endpoints POST que leem, calculam ou abrem uma sessão ou cotação de vida curta em vez de mudar algo (troca de token, busca, GraphQL, completions de LLM, sessões de checkout, consultas de relatório do Stripe, prévias de fatura, cálculos de imposto, cotações de câmbio): repeti-los não causa dano.',
  },
};

/** Names a Stripe client imported from the application's own modules goes by. */
const STRIPE_CLIENT_NAME = /^stripe(client|api|sdk)?$/i;
/** Request options stripe-node recognises in the last argument (then it is not the params object). */
const STRIPE_OPTION_KEYS = new Set(['idempotencyKey', 'stripeAccount', 'stripeContext', 'apiKey', 'apiVersion', 'maxNetworkRetries', 'timeout', 'host']);
/** The header each provider documents; Idempotency-Key elsewhere. */
const HEADER_BY_HOST: Array<[RegExp, string]> = [
  [/mercadopago\./, 'X-Idempotency-Key'],
  [/paypal\./, 'PayPal-Request-Id'],
  [/checkout\.com$/, 'Cko-Idempotency-Key'],
];

/**
 * 'yes' a key is passed; 'no' none is, or the one passed is new on every attempt (see ChangingKey);
 * 'unknown' the options come from somewhere the rule cannot read.
 */
export type Keyed = 'yes' | 'no' | 'unknown';

/** A key built from a random or time value: each retry sends another one, as if there were none. */
export interface ChangingKey extends ChangingValue {
  /** The key as written: a property's value, or the name of a shorthand property. */
  value: TS.Expression;
}

export interface StripeMutation {
  kind: 'stripe';
  call: CallSite & { node: TS.CallExpression };
  /** The callee after the client: "paymentIntents.create". */
  path: string;
  /** Where the request options go: after the params (create) or after the id and the params. */
  optionsIndex: number;
  /** The options object literal written in the call, when there is one. */
  options: TS.ObjectLiteralExpression | undefined;
  keyed: Keyed;
  changingKey?: ChangingKey;
}

export interface PaymentRequest {
  kind: 'http';
  call: CallSite & { node: TS.CallExpression };
  http: HttpCall;
  host: string;
  /** The URL's static text (up to its first substitution). */
  url: string;
  urlNode: TS.Expression | undefined;
  /** The fetch init / axios config literal written in the call, when there is one. */
  options: TS.ObjectLiteralExpression | undefined;
  /** The request body (fetch `body`, axios `data`). */
  body: TS.Expression | undefined;
  keyed: Keyed;
  changingKey?: ChangingKey;
}

export type PaymentCall = StripeMutation | PaymentRequest;

/** A Stripe mutation or a POST to a payment API, with whether it carries an idempotency key. */
export function paymentCallOf(context: RuleContext, call: CallSite): PaymentCall | undefined {
  return stripeMutationOf(context, call) ?? paymentRequestOf(context, call);
}

// The client is recognised by the import that made it (kind 'stripe'), or, when it comes from a
// local module (`import { stripe } from '@/utils/stripe/config'`), by its name together with a
// `resource.method` callee that only the server SDK has (Stripe.js in the browser has none).
export function stripeMutationOf(context: RuleContext, call: CallSite): StripeMutation | undefined {
  const node = call.node;
  if (!ts.isCallExpression(node) || (call.kind !== 'stripe' && call.kind !== undefined)) return undefined;
  const dot = call.callee.indexOf('.');
  const path = call.callee.slice(dot + 1);
  if (dot < 0 || !path.includes('.')) return undefined;
  if (call.kind === undefined) {
    const root = call.callee.slice(0, dot);
    if (!STRIPE_CLIENT_NAME.test(root) && !STRIPE_CLIENT_NAME.test(context.typescript!.imports.get(root)?.imported ?? '')) return undefined;
  }
  if (!matchesAnyExactly(path, context.names('stripeMutations')) || matchesAnyExactly(path, context.names('stripeKeylessCalls'))) return undefined;
  const optionsIndex = call.method === 'create' ? 1 : 2;
  const args = node.arguments;
  if (args.some((argument) => ts.isSpreadElement(argument))) return mutation(call, path, optionsIndex, undefined, 'unknown');
  // stripe-node takes an options-only object as the options wherever it stands: confirm(id, { idempotencyKey }).
  let index = optionsIndex;
  const last = unwrap(args[args.length - 1]);
  if (
    args.length - 1 < optionsIndex &&
    args.length > 1 &&
    last &&
    ts.isObjectLiteralExpression(last) &&
    last.properties.length &&
    last.properties.every((property) => STRIPE_OPTION_KEYS.has(propertyName(property) ?? ''))
  )
    index = args.length - 1;
  const key = args.map((argument) => objectProperty(resolveValue(argument), 'idempotencyKey')).find(Boolean);
  if (key) {
    const changing = changingKeyOf(key, context.typescript!.imports);
    return changing ? { ...mutation(call, path, index, undefined, 'no'), changingKey: changing } : mutation(call, path, index, undefined, 'yes');
  }
  const written = args[index];
  if (!written) return mutation(call, path, index, undefined, 'no');
  const options = resolveValue(written);
  if (!options || !ts.isObjectLiteralExpression(options) || hasUnknownProperties(options)) return mutation(call, path, index, undefined, 'unknown');
  return mutation(call, path, index, unwrap(written) === options ? options : undefined, 'no');
}

function mutation(call: CallSite, path: string, optionsIndex: number, options: TS.ObjectLiteralExpression | undefined, keyed: Keyed): StripeMutation {
  return { kind: 'stripe', call: call as StripeMutation['call'], path, optionsIndex, options, keyed };
}

function paymentRequestOf(context: RuleContext, call: CallSite): PaymentRequest | undefined {
  const http = httpCallOf(context, call);
  return http && (http.client === 'fetch' || http.client === 'axios') ? paymentRequestFrom(context, http, requestOf(context, http)) : undefined;
}

/** The payment request a fetch/axios call makes, given its parts. */
export function paymentRequestFrom(context: RuleContext, http: HttpCall, request: RequestParts): PaymentRequest | undefined {
  if (request.method !== 'POST') return undefined;
  const host = hostOf(request.url);
  if (!host || !matchesAnyExactly(host, context.names('paymentApiHosts')) || isReadOnlyPost(context, request.url)) return undefined;
  const imports = context.typescript!.imports;
  const keyed = request.optionsUnknown ? 'unknown' : headerKeyed(request.headers, context.names('idempotencyHeaders'), imports);
  const header = keyed === 'no' ? headerValue(request.headers, context.names('idempotencyHeaders')) : undefined;
  const changingKey = header && changingKeyOf(header, imports);
  return {
    kind: 'http',
    call: http.call,
    http,
    host,
    url: request.url,
    urlNode: request.urlNode,
    options: request.options,
    body: request.body,
    keyed,
    ...(changingKey ? { changingKey } : {}),
  };
}

export interface RequestParts {
  /** Upper-case method; undefined when not written as a literal. */
  method: string | undefined;
  /** Static text of the URL, with an axios instance's baseURL in front of a relative path. */
  url: string;
  urlNode: TS.Expression | undefined;
  /** The options literal written in the call (fetch init / axios config). */
  options: TS.ObjectLiteralExpression | undefined;
  /** True when the options may hold anything: a variable the rule cannot follow, a spread. */
  optionsUnknown: boolean;
  headers: TS.Expression | undefined;
  body: TS.Expression | undefined;
}

/** Method, URL, headers and body of a fetch or axios request. */
export function requestOf(context: RuleContext, http: HttpCall): RequestParts {
  const node = http.call.node;
  const args = node.arguments;
  const written = args[http.optionsIndex];
  const resolved = resolveValue(written);
  const options = resolved && ts.isObjectLiteralExpression(resolved) ? resolved : undefined;
  const optionsUnknown = (!!written && !options) || (!!options && hasUnknownProperties(options));
  const inline = options && unwrap(written) === options ? options : undefined;
  const literal = (name: string) => {
    const value = resolveValue(objectProperty(options, name));
    return value && ts.isStringLiteralLike(value) ? value.text : undefined;
  };
  let method: string | undefined;
  let url: TS.Expression | undefined;
  let body: TS.Expression | undefined;
  // A method written as something else than a literal, or options that may hold one, leave it unknown.
  const methodOption = () => (objectProperty(options, 'method') ? literal('method') : optionsUnknown ? undefined : 'GET');
  if (http.client === 'fetch') {
    url = args[0];
    method = methodOption();
    body = objectProperty(options, 'body');
  } else {
    const verb = http.call.callee.includes('.') ? http.call.method : 'request';
    if (verb === 'request') {
      url = http.optionsIndex === 1 ? args[0] : objectProperty(options, 'url');
      method = methodOption();
      body = objectProperty(options, 'data');
    } else {
      url = args[0];
      method = verb.replace(/Form$/, '').toUpperCase();
      body = http.optionsIndex === 2 ? args[1] : undefined;
    }
  }
  let text = staticText(url);
  if (http.instance && !/^https?:/i.test(text)) text = instanceBaseUrl(context, http.instance) + text;
  return { method: method?.toUpperCase(), url: text, urlNode: url, options: inline, optionsUnknown, headers: objectProperty(options, 'headers'), body };
}

/** Whether a headers value sends one of the idempotency headers with a key that stays the same across attempts. */
export function headerKeyed(headers: TS.Expression | undefined, names: readonly string[], imports?: ReadonlyMap<string, ImportedName>): Keyed {
  if (!headers) return 'no';
  const literal = headersLiteral(headers);
  if (!literal || hasUnknownProperties(literal)) return 'unknown';
  const value = headerValue(headers, names);
  return value && !changingValue(value, imports) ? 'yes' : 'no';
}

/** The value of the idempotency header a headers literal sends, if it sends one. */
function headerValue(headers: TS.Expression | undefined, names: readonly string[]): TS.Expression | undefined {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const property = headersLiteral(headers)?.properties.find((each) => wanted.has((propertyName(each) ?? '').toLowerCase()));
  if (!property) return undefined;
  if (ts.isPropertyAssignment(property)) return property.initializer;
  return ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
}

function changingKeyOf(value: TS.Expression, imports: ReadonlyMap<string, ImportedName>): ChangingKey | undefined {
  const changing = changingValue(value, imports);
  return changing && { ...changing, value };
}

/** The object literal of a headers value: `{ … }`, a variable holding one, or `new Headers({ … })`. */
function headersLiteral(headers: TS.Expression | undefined): TS.ObjectLiteralExpression | undefined {
  let value = resolveValue(headers);
  if (value && ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'Headers')
    value = resolveValue(value.arguments?.[0]);
  return value && ts.isObjectLiteralExpression(value) ? value : undefined;
}

/** The idempotency header a provider documents. */
export function headerNameFor(host: string): string {
  return HEADER_BY_HOST.find(([pattern]) => pattern.test(host))?.[1] ?? 'Idempotency-Key';
}

/** True when a POST goes to a path that only reads or computes (see readOnlyPostPaths). */
export function isReadOnlyPost(context: RuleContext, url: string): boolean {
  const path = url.replace(/^https?:\/\/[^/?#]*/i, '').split(/[?#]/)[0];
  return matchesAnyExactly(path, context.names('readOnlyPostPaths'));
}

export function hostOf(url: string): string | undefined {
  return /^https?:\/\/([^/:?#]+)/i.exec(url)?.[1]?.toLowerCase();
}

// A spread or a computed name may add any property, so what the object holds is not known.
function hasUnknownProperties(object: TS.ObjectLiteralExpression): boolean {
  return object.properties.some((property) => ts.isSpreadAssignment(property) || propertyName(property) === undefined);
}

function propertyName(property: TS.ObjectLiteralElementLike): string | undefined {
  if (ts.isShorthandPropertyAssignment(property)) return property.name.text;
  return property.name && !ts.isComputedPropertyName(property.name) ? propertyNameText(property.name) : undefined;
}

/** The text a URL expression starts with: a literal, a template's head, a concatenation's left side, a constant. */
function staticText(expression: TS.Expression | undefined, depth = 0): string {
  const value = resolveValue(expression);
  if (!value || depth > 3) return '';
  if (ts.isStringLiteralLike(value)) return value.text;
  if (ts.isTemplateExpression(value)) {
    const head = value.head.text;
    // `${BASE}/v1/charges`: the head is empty, the constant in front gives the host.
    return head === '' ? staticText(value.templateSpans[0].expression, depth + 1) + value.templateSpans[0].literal.text : head;
  }
  if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) return staticText(value.left, depth + 1);
  return '';
}

// const api = axios.create({ baseURL: 'https://api.stripe.com/v1' }). The instances of a document are
// listed once per analysis (a search of every call per request made files of many clients quadratic).
function instanceBaseUrl(context: RuleContext, instance: string): string {
  const baseUrls = context.memo('axiosInstanceBaseUrls', () => {
    const found = new Map<string, TS.CallExpression>();
    for (const scope of context.typescript!.functions) {
      for (const call of scope.calls) {
        if (call.kind !== 'axios' || call.callee !== 'axios.create' || !ts.isCallExpression(call.node)) continue;
        const parent = call.node.parent;
        if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && !found.has(parent.name.text)) found.set(parent.name.text, call.node);
      }
    }
    return found;
  });
  const create = baseUrls.get(instance);
  return create ? staticText(objectProperty(resolveValue(create.arguments[0]), 'baseURL')) : '';
}
