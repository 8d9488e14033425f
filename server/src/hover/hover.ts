// What a hover shows, as Markdown: the documentation of the findings under the cursor, or the short
// documentation of the SQL keyword, phrase or function under it (also inside dollar-quoted bodies and
// strings, and inside SQL embedded in TypeScript), or in TypeScript/JavaScript a short note on the
// application-side API under it: AbortSignal.timeout, the NX/PX/EX options of a Redis SET, an
// idempotency key. The texts are in hover-texts.ts; the LSP request is lsp/handlers/hover.ts.

import type * as TS from 'typescript';
import { keywordHover, TYPESCRIPT_HOVERS, type KeywordHover, type TypeScriptHoverId } from './texts';
import { lex, type Token } from '../languages/sql/lexer';
import { findEmbeddedSql } from '../languages/typescript/embedded-sql';
import { ts } from '../languages/typescript/project';
import { dottedName, TsModel } from '../languages/typescript/ts-file';
import type { Finding } from '../core/lint';
import { coreText, type Locale } from '../core/locale';
import { ruleById } from '../rules';
import { MappedText } from '../core/text/mapped-text';

/**
 * The documentation of the findings at an offset: what the rule is about, why it fails, what to do,
 * and a link to the whole page (`docsLink`: the editor's own documentation view, or the web page).
 * Their messages, which say what is wrong here, are not repeated: editors show the diagnostic's
 * message with the hover already. Kept short (the rule page has the rest), so that the hover and its
 * Quick Fix link fit on a laptop screen.
 */
export function findingHover(
  findings: readonly Finding[],
  offset: number,
  locale: Locale,
  docsLink: (ruleId: string, locale: Locale) => string = (_id, _locale) => '',
): string | undefined {
  const here = findings.filter((finding) => finding.start <= offset && offset <= finding.end);
  if (!here.length) return undefined;
  const ruleIds = [...new Set(here.map((finding) => finding.ruleId))];
  return ruleIds
    .map((ruleId) => ruleMarkdown(ruleId, locale, docsLink(ruleId, locale) || here.find((finding) => finding.ruleId === ruleId)!.docsUrl))
    .join('\n\n---\n\n');
}

/** Longest "why" and "what to do" in a hover, in characters (whole sentences, two or three when they fit). */
const WHY_CHARACTERS = 260;
const REMEDY_CHARACTERS = 220;
const MIN_BRIEF = 80;

export function ruleMarkdown(ruleId: string, locale: Locale, docsLink: string): string {
  const rule = ruleById(ruleId);
  if (!rule) return ruleId;
  const text = rule.text[locale];
  return [
    `**Armadilha · ${rule.id}** — ${text.summary}`,
    `**${coreText(locale, 'hoverWhy')}:** ${brief(text.rationale, WHY_CHARACTERS, 3)}`,
    `**${coreText(locale, 'hoverRemedy')}:** ${brief(text.remedy, REMEDY_CHARACTERS, 2)} [${coreText(locale, 'hoverDocs')}](${docsLink})`,
  ].join('\n\n');
}

/**
 * The first sentences of a text, as many (up to `sentences`) as fit in `characters`; at least the
 * first, cut after a clause (or a word) with an ellipsis when it alone is too long.
 */
export function brief(text: string, characters: number, sentences: number): string {
  const all = text.split(/(?<!\b(?:e\.g|i\.e|ex|vs|p\.ex)\.)(?<=[.!?])\s+(?=[A-Z"'(`ÁÉÍÓÚÂÊÔÃÕÇ0-9])/);
  let result = all[0];
  for (const sentence of all.slice(1, sentences)) {
    // A short lead-in ("Pick one of three.") says nothing alone: the next sentence comes with it.
    if (result.length >= MIN_BRIEF && result.length + 1 + sentence.length > characters) break;
    result += ` ${sentence}`;
  }
  if (result.length <= characters) return result;
  const head = result.slice(0, characters);
  const clause = Math.max(head.lastIndexOf('; '), head.lastIndexOf(': '), head.lastIndexOf(' — '), head.lastIndexOf(', '));
  let cut = clause >= characters * 0.5 ? clause : head.lastIndexOf(' ');
  // Never inside `code` or an open parenthesis.
  if ((head.slice(0, cut).match(/`/g)?.length ?? 0) % 2) cut = head.lastIndexOf('`', cut - 1);
  cut = Math.min(cut, unclosedParenthesis(head.slice(0, cut)));
  return `${head.slice(0, cut).replace(/[\s,;:—-]+$/, '')}…`;
}

/** Where the first parenthesis still open at the end of a text starts (its length when none is). */
function unclosedParenthesis(text: string): number {
  const open: number[] = [];
  for (let index = 0; index < text.length; index++) {
    if (text[index] === '(') open.push(index);
    else if (text[index] === ')') open.pop();
  }
  return open.length ? open[0] : text.length;
}

/** Keyword documentation for the SQL word at `offset` of a SQL text, or undefined. */
export function sqlKeywordHover(text: string, offset: number, locale: Locale): string | undefined {
  const entry = hoverAt(MappedText.document(text), offset, 0, true);
  if (!entry) return undefined;
  return `**${entry.title}**\n\n${entry.text[locale]}`;
}

// Finds the entry for the word at a document offset, descending into string literals (function
// bodies, cron commands, EXECUTE strings, setting values) up to three levels deep. The words around it
// decide which phrase, if any, it belongs to.
function hoverAt(text: MappedText, documentOffset: number, depth: number, psql: boolean): KeywordHover | undefined {
  const offset = text.fromDocument(documentOffset);
  if (offset === undefined) return undefined;
  const tokens: Token[] = [];
  lex(
    text.text,
    (token) => {
      if (token.kind !== 'comment') tokens.push(token);
    },
    { psql },
  );
  const index = tokens.findIndex((token) => token.start <= offset && offset <= token.end && (token.kind === 'word' || token.kind === 'string'));
  if (index < 0) return undefined;
  const token = tokens[index];
  if (token.kind === 'string') {
    if (depth >= 3 || token.unterminated) return undefined;
    const inner = MappedText.unquoted(text, token.contentStart!, token.contentEnd!, token.quoting ?? 'standard');
    return hoverAt(inner, documentOffset, depth + 1, false);
  }
  const texts = tokens.map((each) => (each.kind === 'string' ? '' : text.text.slice(each.start, each.end).toLowerCase()));
  return keywordHover(texts, index);
}

/** Keyword documentation at a document offset inside SQL embedded in another language (a TypeScript template), mapped by `sql`. */
function embeddedSqlKeywordHover(sql: MappedText, offset: number, locale: Locale): string | undefined {
  const entry = hoverAt(sql, offset, 0, false);
  return entry && `**${entry.title}**\n\n${entry.text[locale]}`;
}

// TypeScript/JavaScript documents.

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
    if ((ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) && parent.name === token && inRedisSet(parent.parent))
      return redisOption(token.text);
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
  while (ts.isObjectLiteralExpression(current.parent) || ts.isPropertyAssignment(current.parent) || ts.isArrayLiteralExpression(current.parent))
    current = current.parent;
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
