// What a hover shows in a TypeScript/JavaScript document (findings aside): the SQL keyword under the
// cursor inside embedded SQL (sql`…`, query('…')), else a short note on the application-side API
// under it: AbortSignal.timeout, the NX/PX/EX options of a Redis SET, an idempotency key.

import type { ts as TS } from 'ts-morph';
import { embeddedSqlKeywordHover } from './hover-content';
import { TYPESCRIPT_HOVERS, type TypeScriptHoverId } from './hovers-typescript';
import { findEmbeddedSql } from './languages/typescript/embedded-sql';
import { ts } from './languages/typescript/project';
import { dottedName, TsModel } from './languages/typescript/ts-file';
import type { Locale } from './locale';
import { MappedText } from './text/mapped-text';

/** Redis calls whose arguments hold SET options: set(k, v, 'NX', 'PX', ms), set(k, v, { NX: true }), call('SET', …), sendCommand([…]). */
const REDIS_SET_CALLS = new Set(['set', 'call', 'sendCommand', 'send_command']);

/** `tree`, when given, is the syntax tree of exactly this text (the document's last analysis keeps it). */
export function typescriptHover(text: string, fileName: string, offset: number, locale: Locale, tree?: TS.SourceFile): string | undefined {
  const model = tree ? new TsModel(text, tree) : TsModel.parse(text, fileName);
  model.fileName = fileName;
  const token = tokenAt(model.node, offset);
  if (!token) return undefined;
  if (ts.isStringLiteralLike(token) || ts.isTemplateExpression(token) || ts.isTemplateLiteralToken(token)) {
    const embedded = embeddedAt(model, text, offset);
    if (embedded) return embeddedSqlKeywordHover(embedded, offset, locale);
  }
  const id = hoverIdOf(token);
  if (!id) return undefined;
  const entry = TYPESCRIPT_HOVERS[id];
  return `**${entry.title}**\n\n${entry.text[locale]}`;
}

/** The SQL text of the embedded literal that holds an offset. */
function embeddedAt(model: TsModel, text: string, offset: number): MappedText | undefined {
  for (const entry of findEmbeddedSql(model, MappedText.document(text))) {
    if (entry.literal && entry.literal.getStart(model.node) <= offset && offset < entry.literal.getEnd()) return entry.text;
  }
  return undefined;
}

function hoverIdOf(token: TS.Node): TypeScriptHoverId | undefined {
  const parent = token.parent;
  if (ts.isIdentifier(token)) {
    // AbortSignal.timeout, hovered on either name.
    if (ts.isPropertyAccessExpression(parent) && dottedName(parent) === 'AbortSignal.timeout') return 'abortSignalTimeout';
    if (/^idempotency_?key$/i.test(token.text)) return 'idempotencyKey';
    // { NX: true, PX: 30000 } given to set().
    if ((ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) && parent.name === token && inRedisSet(parent.parent)) return redisOption(token.text);
    return undefined;
  }
  if (ts.isStringLiteralLike(token)) {
    if (/^idempotency-key$/i.test(token.text)) return 'idempotencyKey';
    // set(key, value, 'NX', 'PX', 30000), call('SET', key, value, 'NX', 'EX', 30), { type: 'PX', value: 30000 }
    if (inRedisSet(token)) return redisOption(token.text);
  }
  return undefined;
}

function redisOption(name: string): TypeScriptHoverId | undefined {
  const upper = name.toUpperCase();
  if (upper === 'NX') return 'redisNx';
  if (upper === 'PX' || upper === 'EX') return 'redisExpiry';
  return undefined;
}

/** The node is (inside objects or arrays that are) an argument of a Redis SET-like call. */
function inRedisSet(node: TS.Node): boolean {
  let current = node;
  while (ts.isObjectLiteralExpression(current.parent) || ts.isPropertyAssignment(current.parent) || ts.isArrayLiteralExpression(current.parent)) current = current.parent;
  const call = current.parent;
  if (!ts.isCallExpression(call) || !call.arguments.includes(current as TS.Expression)) return false;
  const callee = dottedName(call.expression) ?? '';
  return REDIS_SET_CALLS.has(callee.slice(callee.lastIndexOf('.') + 1));
}

/** The innermost node whose text (not its leading trivia) holds the offset. */
function tokenAt(root: TS.SourceFile, offset: number): TS.Node | undefined {
  let found: TS.Node | undefined;
  const visit = (node: TS.Node): void => {
    if (offset < node.getStart(root) || offset > node.getEnd()) return;
    found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(root, visit);
  return found;
}
