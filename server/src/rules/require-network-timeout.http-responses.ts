// What a document does around its HTTP calls, collected in one walk of the tree (memoized per
// analysis) so that the rules about network calls ask in constant time instead of searching the
// text once per call:
// - properties assigned after an options object was built (`init.signal = …`, `api.defaults.timeout = …`);
// - requests given a timer later (`req.setTimeout(…)`, `req.on('timeout', …)`);
// - responses whose body is streamed, proxied or downloaded (`new Response(res.body)`,
//   `res.body.pipe(…)`, `res.blob()`, `return res`), where a total deadline would cut long transfers.

import type * as TS from 'typescript';
import { ts } from '../languages/typescript/project';
import { dottedName, functionName, isFunctionLike } from '../languages/typescript/ts-file';
import type { RuleContext } from '../core/rule';
import { declarationOf, unwrap } from './typescript/ts-declarations';
import { propertyNameText } from './typescript/ts-effects';

export interface HttpDocumentIndex {
  /** Dotted targets of assignments anywhere in the document: "init.signal", "api.defaults.timeout". */
  assigned: Set<string>;
  /** Receivers given a timer: "req" for req.setTimeout(…) or req.on('timeout', …). */
  timed: Set<string>;
  /** Offsets (in document order) where a name's value is streamed, downloaded or returned, by name. */
  transfers: Map<string, number[]>;
}

/** Methods of a body stream that read it piece by piece or hand it on. */
const STREAM_METHODS = new Set(['pipe', 'pipeTo', 'pipeThrough', 'getReader', 'tee']);
/** Response methods that read a whole binary body (files, images): downloads of unknown size. */
const DOWNLOAD_METHODS = new Set(['blob', 'arrayBuffer', 'bytes']);
/** Request bodies that carry files or streams. */
const UPLOAD_CLASSES = /^(FormData|Blob|File|ReadableStream|Uint8Array|Buffer)$/;
const UPLOAD_NAMES = /file|blob|stream|buffer|bytes|chunk|upload|fromWeb/i;
/** Functions whose name says they move files or bodies through. */
const TRANSFER_FUNCTIONS = /download|upload|proxy|stream|pipe|mirror/i;

export function httpDocumentIndex(context: RuleContext): HttpDocumentIndex {
  return context.memo('httpDocumentIndex', () => {
    const index: HttpDocumentIndex = { assigned: new Set(), timed: new Set(), transfers: new Map() };
    const transfer = (name: string, at: number) => {
      const list = index.transfers.get(name);
      if (list) list.push(at);
      else index.transfers.set(name, [at]);
    };
    const visit = (node: TS.Node): void => {
      context.spend();
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
        const target = dottedName(node.left);
        if (target) index.assigned.add(target);
      } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        const receiver = dottedName(node.expression.expression);
        const first = node.arguments[0];
        if (receiver && (method === 'setTimeout' || (method === 'on' && first && ts.isStringLiteralLike(first) && first.text === 'timeout')))
          index.timed.add(receiver);
      }
      const transferred = transferredName(node);
      if (transferred) transfer(transferred, node.getStart());
      ts.forEachChild(node, visit);
    };
    visit(context.typescript!.node);
    return index;
  });
}

/**
 * The response of an HTTP call is streamed, proxied or downloaded: a total deadline (a timeout signal
 * also aborts the reading of the body) would cut long transfers that are working, so a fix that adds
 * one is offered but never applied on its own. `scope` is the function whose body holds the call (or
 * the file), as the model's FunctionScope gives it.
 */
export function transfersBody(context: RuleContext, call: TS.CallExpression, scope: TS.Node): boolean {
  let current: TS.Node = call;
  while (isTransparent(current.parent)) current = current.parent;
  const parent = current.parent;
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current)) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === current) {
    const name = parent.name.text;
    if (name === 'body' || (DOWNLOAD_METHODS.has(name) && ts.isCallExpression(parent.parent))) return true;
    // fetch(url).then((response) => …)
    const callback = name === 'then' && ts.isCallExpression(parent.parent) ? parent.parent.arguments[0] : undefined;
    if (callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
      const parameter = callback.parameters[0]?.name;
      if (parameter && ts.isIdentifier(parameter) && transferredIn(context, parameter.text, callback)) return true;
    }
  }
  // `scope` (the function the call is in, or the file) also holds the variable it is stored in.
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && transferredIn(context, parent.name.text, scope, parent.end)) return true;
  const name = isFunctionLike(scope) ? functionName(scope) : undefined;
  return !!name && TRANSFER_FUNCTIONS.test(name);
}

/** An axios/got config that asks for the body as a stream or a binary download. */
export function streamedResponseType(options: TS.Expression | undefined): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  for (const property of options.properties) {
    if (!ts.isPropertyAssignment(property) || propertyNameText(property.name) !== 'responseType') continue;
    const value = unwrap(property.initializer);
    return !!value && ts.isStringLiteralLike(value) && /^(stream|arraybuffer|blob)$/i.test(value.text);
  }
  return false;
}

/**
 * A request that uploads a file or a stream: its body is a FormData, a Blob, a stream or a buffer (by
 * construction or by name), or it streams its body (`duplex: 'half'`). A total deadline would cut a
 * large upload that is progressing.
 */
export function uploadsBody(options: TS.Expression | undefined): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some((property) => {
    const name = property.name && propertyNameText(property.name);
    if (name === 'duplex') return true;
    if (name !== 'body') return false;
    const value = ts.isPropertyAssignment(property) ? unwrap(property.initializer) : ts.isShorthandPropertyAssignment(property) ? property.name : undefined;
    if (!value) return false;
    // body: form, where const form = new FormData()
    const built = ts.isIdentifier(value) ? unwrap(declarationOf(value)?.initializer) : value;
    if (built && ts.isNewExpression(built)) return ts.isIdentifier(built.expression) && UPLOAD_CLASSES.test(built.expression.text);
    // body: request.body forwards a stream.
    if (ts.isPropertyAccessExpression(value) && value.name.text === 'body') return true;
    const callee = ts.isCallExpression(value) ? (dottedName(value.expression) ?? '') : '';
    const written = ts.isIdentifier(value) ? value.text : ts.isPropertyAccessExpression(value) ? value.name.text : callee.slice(callee.lastIndexOf('.') + 1);
    return UPLOAD_NAMES.test(written);
  });
}

/** A name whose value this node streams, downloads or returns: `res` in res.body.pipe(…), new Response(res.body), res.blob(), return res. */
function transferredName(node: TS.Node): string | undefined {
  if (ts.isReturnStatement(node)) {
    const value = unwrap(node.expression);
    return value && ts.isIdentifier(value) ? value.text : undefined;
  }
  if (!ts.isPropertyAccessExpression(node) || !ts.isIdentifier(node.expression)) return undefined;
  const name = node.name.text;
  const parent = node.parent;
  if (DOWNLOAD_METHODS.has(name)) return ts.isCallExpression(parent) && parent.expression === node ? node.expression.text : undefined;
  if (name !== 'body') return undefined;
  let use: TS.Node = node;
  while (isTransparent(use.parent)) use = use.parent;
  const user = use.parent;
  // res.body.pipe(…), res.body.getReader()
  if (ts.isPropertyAccessExpression(user) && user.expression === use) return STREAM_METHODS.has(user.name.text) ? node.expression.text : undefined;
  // new Response(res.body), pipeline(res.body, …), Readable.fromWeb(res.body), { Body: res.body }, return res.body, for await (… of res.body)
  if ((ts.isCallExpression(user) || ts.isNewExpression(user)) && user.expression !== use) return node.expression.text;
  if (ts.isPropertyAssignment(user) || ts.isReturnStatement(user) || ts.isForOfStatement(user) || (ts.isArrowFunction(user) && user.body === use))
    return node.expression.text;
  return undefined;
}

/** A transfer of `name` inside a scope (after `from`). Offsets are sorted: one binary search. */
function transferredIn(context: RuleContext, name: string, scope: TS.Node, from = scope.pos): boolean {
  const offsets = httpDocumentIndex(context).transfers.get(name);
  if (!offsets) return false;
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (offsets[middle] < from) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && offsets[low] < scope.end;
}

function isTransparent(node: TS.Node): boolean {
  return (
    ts.isAwaitExpression(node) ||
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isSatisfiesExpression(node)
  );
}
