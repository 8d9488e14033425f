// Which calls of a TypeScript document go over the network through an HTTP client, and where each
// call takes its options: fetch (the platform's, or node-fetch/undici's), axios, got, undici and
// node:http(s). Used by the rules about network calls (timeouts).

import type * as TS from 'typescript';
import { ts } from '../../languages/typescript/project';
import type { CallSite } from '../../languages/typescript/ts-file';
import type { RuleContext } from '../../core/rule';
import { findDeclaration, resolveValue, unwrap } from './ts-declarations';

/** Modules whose `fetch` export behaves like the platform's fetch (takes an init with a signal). */
const FETCH_MODULES = /^(npm:)?(node-fetch|undici|cross-fetch|isomorphic-fetch|isomorphic-unfetch|@whatwg-node\/fetch|node-fetch-native)(@.*)?$/;
/** ofetch: `ofetch(url, options)` and `$fetch(url, options)` take a signal or a `timeout` of their own. */
const OFETCH_MODULE = /^(npm:)?ofetch(@.*)?$/;
const OFETCH_EXPORTS = new Set(['ofetch', '$fetch', 'default']);
/** The objects the platform's fetch hangs from. */
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self']);

/** Request methods of each client and the argument index of their options (config) object. */
const AXIOS_METHODS = new Map([
  ['request', 0],
  ['get', 1],
  ['delete', 1],
  ['head', 1],
  ['options', 1],
  ['post', 2],
  ['put', 2],
  ['patch', 2],
  ['postForm', 2],
  ['putForm', 2],
  ['patchForm', 2],
]);
const GOT_METHODS = new Map([
  ['get', 1],
  ['post', 1],
  ['put', 1],
  ['patch', 1],
  ['delete', 1],
  ['head', 1],
  ['stream', 1],
  ['paginate', 1],
]);
const UNDICI_FUNCTIONS = new Map([
  ['request', 1],
  ['stream', 1],
  ['pipeline', 1],
]);
const UNDICI_INSTANCES = new Set(['Client', 'Pool', 'BalancedPool', 'Agent', 'ProxyAgent', 'RetryAgent']);
const HTTP_METHODS = new Set(['request', 'get']);

/** Option names that bound a call's duration (or hand it a signal or an agent/dispatcher that may carry one), per client. */
export const TIMEOUT_KEYS: Record<HttpClient, string[]> = {
  fetch: ['signal', 'dispatcher'],
  axios: ['timeout', 'signal'],
  got: ['timeout', 'signal'],
  undici: ['headersTimeout', 'bodyTimeout', 'signal', 'dispatcher'],
  http: ['timeout', 'signal', 'agent'],
};

export type HttpClient = 'fetch' | 'axios' | 'got' | 'undici' | 'http';

export interface HttpCall {
  call: CallSite & { node: TS.CallExpression };
  client: HttpClient;
  /** Where the options object goes: its argument index. */
  optionsIndex: number;
  /** The instance the call goes through (`api` in api.get(...)), when it is not the module itself. */
  instance: string | undefined;
  /** The call resolves to the parsed body, not to a Response (ofetch). */
  parsesBody?: boolean;
}

export interface ClientFactory {
  call: CallSite & { node: TS.CallExpression | TS.NewExpression };
  client: 'axios' | 'got' | 'undici';
  /** The variable the instance is stored in, when it is one. */
  instance: string | undefined;
}

/** The HTTP request a call makes, if it is one. */
export function httpCallOf(context: RuleContext, call: CallSite): HttpCall | undefined {
  const node = call.node;
  if (!ts.isCallExpression(node)) return undefined;
  const site = call as CallSite & { node: TS.CallExpression };
  if (call.method === 'fetch' || call.method === 'ofetch' || call.method === '$fetch') {
    if (isPlatformFetch(context, node)) return { call: site, client: 'fetch', optionsIndex: 1, instance: undefined };
    return isOfetch(context, node) ? { call: site, client: 'fetch', optionsIndex: 1, instance: undefined, parsesBody: true } : undefined;
  }
  if (!call.kind) return undefined;
  const parts = call.callee.split('.');
  const root = parts[0];
  const model = context.typescript!;
  const instance = model.imports.has(root) ? undefined : root;
  // got(url, options) or got(options); http.get(url, options, cb) or http.get(options, cb).
  const urlOrOptions = () => (isUrlLike(node.arguments[0]) ? 1 : 0);
  switch (call.kind) {
    case 'axios': {
      if (parts.length === 1) return { call: site, client: 'axios', optionsIndex: urlOrOptions(), instance };
      const index = parts.length === 2 ? AXIOS_METHODS.get(call.method) : undefined;
      return index === undefined ? undefined : { call: site, client: 'axios', optionsIndex: index, instance };
    }
    case 'got': {
      if (parts.length === 1) return { call: site, client: 'got', optionsIndex: urlOrOptions(), instance };
      const index = parts.length === 2 ? GOT_METHODS.get(call.method) : undefined;
      return index === undefined ? undefined : { call: site, client: 'got', optionsIndex: Math.min(index, urlOrOptions()), instance };
    }
    case 'undici': {
      const imported = model.imports.get(root);
      const name = parts.length === 1 ? imported?.imported : imported?.imported === '*' || imported?.imported === 'default' ? call.method : undefined;
      if (name && parts.length <= 2 && UNDICI_FUNCTIONS.has(name))
        return { call: site, client: 'undici', optionsIndex: UNDICI_FUNCTIONS.get(name)!, instance: undefined };
      // client.request({ path, method, headersTimeout }) on a Client/Pool/Agent instance.
      if (instance && parts.length === 2 && (call.method === 'request' || call.method === 'stream' || call.method === 'pipeline'))
        return { call: site, client: 'undici', optionsIndex: 0, instance };
      return undefined;
    }
    case 'http': {
      const imported = model.imports.get(root);
      const name = parts.length === 1 ? imported?.imported : parts.length === 2 ? call.method : undefined;
      if (!name || !HTTP_METHODS.has(name)) return undefined;
      return { call: site, client: 'http', optionsIndex: urlOrOptions(), instance: undefined };
    }
    default:
      return undefined;
  }
}

/** An instance factory: axios.create(config), got.extend(options), new undici.Client(url, options). */
export function clientFactoryOf(context: RuleContext, call: CallSite): ClientFactory | undefined {
  if (call.kind !== 'axios' && call.kind !== 'got' && call.kind !== 'undici') return undefined;
  const model = context.typescript!;
  const parts = call.callee.split('.');
  let client: ClientFactory['client'] | undefined;
  if (call.kind === 'axios' && ts.isCallExpression(call.node) && call.method === 'create' && parts.length === 2) client = 'axios';
  // got.extend(…) on the module; base.extend(…) inherits base's options, checked where base is made.
  else if (call.kind === 'got' && ts.isCallExpression(call.node) && call.method === 'extend' && parts.length === 2 && model.imports.has(parts[0]))
    client = 'got';
  else if (call.kind === 'undici' && ts.isNewExpression(call.node)) {
    const imported = model.imports.get(parts[0]);
    const name = parts.length === 1 ? imported?.imported : call.method;
    if (name && UNDICI_INSTANCES.has(name)) client = 'undici';
  }
  if (!client) return undefined;
  const parent = call.node.parent;
  const instance = ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  return { call: call as ClientFactory['call'], client, instance };
}

/** The options argument of a factory: axios.create(config), got.extend(options), new Client(url, options), new Agent(options). */
export function factoryOptionsIndex(factory: ClientFactory): number {
  if (factory.client !== 'undici') return 0;
  return factory.call.callee.endsWith('Agent') ? 0 : 1;
}

/**
 * The platform's fetch: `fetch(…)` when the document declares no `fetch` of its own (a function, a
 * variable, a parameter) or imports it from a fetch implementation, and `globalThis.fetch(…)`,
 * `window.fetch(…)`, `self.fetch(…)`. Methods that merely share the name (`this.fetch()`,
 * `store.fetch()`, pg-boss's `boss.fetch()`, which takes jobs from a table) are not.
 */
function isPlatformFetch(context: RuleContext, node: TS.CallExpression): boolean {
  const expression = unwrap(node.expression);
  if (ts.isPropertyAccessExpression(expression)) {
    const receiver = unwrap(expression.expression);
    return expression.name.text === 'fetch' && ts.isIdentifier(receiver) && GLOBAL_OBJECTS.has(receiver.text) && !findDeclaration(node, receiver.text);
  }
  if (!ts.isIdentifier(expression) || expression.text !== 'fetch') return false;
  const declaration = findDeclaration(node, 'fetch');
  if (!declaration) return true;
  const imported = context.typescript!.imports.get('fetch');
  if (!imported || !FETCH_MODULES.test(imported.module)) return false;
  // import fetch from 'node-fetch', const fetch = require('node-fetch'), const { fetch } = require('undici')
  const declared = declaration.node;
  return ts.isImportDeclaration(declared) || (ts.isVariableDeclaration(declared) && !!declared.initializer && ts.isCallExpression(declared.initializer));
}

/** ofetch(url, options) or $fetch(url, options), imported from ofetch. */
function isOfetch(context: RuleContext, node: TS.CallExpression): boolean {
  const expression = unwrap(node.expression);
  if (!ts.isIdentifier(expression)) return false;
  const imported = context.typescript!.imports.get(expression.text);
  return !!imported && OFETCH_MODULE.test(imported.module) && OFETCH_EXPORTS.has(imported.imported);
}

// A URL (a string, a template, a concatenation, new URL(…)), as opposed to an options object. What
// cannot be told (a parameter, a call's result) counts as options, which keeps the rule silent on it.
function isUrlLike(expression: TS.Expression | undefined): boolean {
  const value = resolveValue(expression);
  if (!value) return true;
  if (ts.isStringLiteralLike(value) || ts.isTemplateExpression(value)) return true;
  if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) return true;
  if (ts.isNewExpression(value)) return ts.isIdentifier(value.expression) && value.expression.text === 'URL';
  // A variable or property named like one: url, targetUrl, config.endpoint, link.href.
  const name = ts.isIdentifier(value) ? value.text : ts.isPropertyAccessExpression(value) ? value.name.text : '';
  return /(url|uri|href|endpoint)$/i.test(name);
}
