// SQL written inside TypeScript/JavaScript, where it is PostgreSQL:
// - tagged templates whose tag is bound to a SQL library (postgres.js, @vercel/postgres, slonik,
//   sql-template-strings, drizzle's and kysely's `sql`, Prisma.sql, $queryRaw…), or named `sql` (also
//   the `tx` of `sql.begin(tx => …)`); i18n macros (Lingui's msg`…`, t`…`) and other tags never are;
// - the text argument of query()/execute()/raw()/unsafe()/$queryRawUnsafe() calls (also { text: … }
//   objects) whose receiver is not a client of another database;
// - `/* sql */` templates;
// - plain strings and templates that parse as a statement a program sends (never a syntax error).
// How sure each is decides whether a statement PostgreSQL rejects is reported: only a static query
// sent to a PostgreSQL client is ("certain"). A file or project that speaks another dialect (mysql2,
// @planetscale/database, better-sqlite3, a ClickHouse client) has none of its SQL analysed.
// Each literal becomes a MappedText whose offsets map exactly back into the TypeScript file, across
// escapes, line continuations and ${…} substitutions; a substitution becomes a placeholder that a fix
// can never touch.

import type * as TS from 'typescript';
import { MappedText, type Segment } from '../../core/text/mapped-text';
import { ts } from './project';
import { QUERY_METHODS, RAW_QUERY_TAGS, SQL_TAG_NAMES } from './sql-calls';
import { sqlDialectOf, type CodeDialect } from './sql-dialect';
import { looksLikeSql } from './sql-start';
import { dottedName, FOREIGN_SQL_CLIENTS, isFunctionLike, MULTI_DIALECT_CLIENTS, POSTGRES_CLIENTS, type ClientKind, type TsModel } from './ts-file';
import { resultNames } from './operations/chain';
import { operationEntries } from './operations/entries';
import type { DbOperation } from './operations/operation';

export { looksLikeSql } from './sql-start';

/**
 * certain: a static query sent to a PostgreSQL client (its syntax errors are reported);
 * likely: SQL for a client of unknown dialect in PostgreSQL code (analysed, syntax errors not reported);
 * plain: text in a plain string, kept only when it parses as a statement a program sends.
 */
export type SqlCertainty = 'certain' | 'likely' | 'plain';

export interface EmbeddedSql {
  /** The SQL text (placeholders for substitutions) mapped back into the document. */
  text: MappedText;
  /** The call or tagged template that runs it. */
  call: TS.CallExpression | TS.TaggedTemplateExpression | undefined;
  /** The literal node holding the SQL (none for SQL rendered from a library call). */
  literal: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral | TS.TemplateExpression | undefined;
  /** Substitutions are bind parameters (tagged templates) rather than text interpolation. */
  substitutionsAreParameters: boolean;
  /** Placeholders in the text: ${…} substitutions and knex-style ? bindings. */
  substitutionCount: number;
  /** ${…} substitutions only: a text with none is static. */
  interpolationCount: number;
  /** The parameters array literal of query(text, [...]) / query({ text, values: [...] }), when literal. */
  parameters: TS.ArrayLiteralExpression | undefined;
  certainty: SqlCertainty;
  /** The code of each bind parameter: the value of $n is boundValues[n - 1]. */
  boundValues: TS.Expression[];
  /** Variables the query's result is bound to (`const [row] = await sql…`). */
  resultNames: string[];
  /** For SQL rendered from a client library's call chain: the operation. */
  operation?: DbOperation;
  /** BEGIN and COMMIT written for a transaction callback: no code says them. */
  synthetic?: boolean;
  /** For those: the callback whose queries they enclose. */
  transactionOf?: TS.FunctionLikeDeclaration;
}

const QUERY_METHOD_NAMES = new Set<string>(QUERY_METHODS);
const SQL_TAGS = new Set<string>(SQL_TAG_NAMES);
const RAW_TAGS = new Set<string>(RAW_QUERY_TAGS);
/** Methods whose callback receives a client of the same kind: sql.begin(tx => …), db.tx(t => …). */
const TRANSACTION_METHODS = new Set(['begin', 'transaction', 'tx', 'task', 'savepoint', 'reserve', 'connection']);
/** Clients whose `?` are bind placeholders. */
const QUESTION_MARK_CLIENTS = new Set<ClientKind | undefined>(['knex', 'mikro-orm', 'sequelize']);

/** What the tag or receiver of SQL is: a PostgreSQL client, a multi-dialect one, another database's, a name that says SQL, or nothing known. */
type ClientVerdict = 'postgres' | 'multi' | 'foreign' | 'named' | 'unknown';

export function findEmbeddedSql(model: TsModel, document: MappedText): EmbeddedSql[] {
  const found: EmbeddedSql[] = [];
  const seen = new Set<TS.Node>();
  const source = model.node;
  let dialect: CodeDialect | undefined;
  const fileDialect = () => (dialect ??= sqlDialectOf(model));
  const add = (
    literal: TS.Node | undefined,
    call: EmbeddedSql['call'],
    parametersAreBound: boolean,
    certainty: SqlCertainty | undefined,
    parameters?: TS.ArrayLiteralExpression,
    questionMarks = false,
    wholeStatement = false,
  ) => {
    if (!literal || seen.has(literal) || !(ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal) || ts.isTemplateExpression(literal)))
      return;
    // Seen even when not analysed: SQL sent to a MySQL client is not looked at again as a plain string.
    seen.add(literal);
    if (!certainty) return;
    const assembled = assemble(literal, source, document, questionMarks);
    // The text of a query call sent to a PostgreSQL client is SQL whatever its first word (`selec 1` is
    // a typo to report); a tagged template may be an expression fragment (kysely's and drizzle's
    // sql`count(e.id)`), a statement only when it reads like one.
    if (!(certainty === 'certain' && wholeStatement) && !looksLikeSql(assembled.text.text)) return;
    const boundValues = parameters
      ? parameters.elements.filter((element): element is TS.Expression => !ts.isSpreadElement(element) && !ts.isOmittedExpression(element))
      : ts.isTemplateExpression(literal)
        ? literal.templateSpans.map((span) => span.expression)
        : [];
    found.push({
      ...assembled,
      call,
      literal,
      substitutionsAreParameters: parametersAreBound,
      parameters,
      certainty,
      boundValues,
      resultNames: call ? resultNames(call) : [],
    });
  };
  for (const node of model.sqlCarriers) {
    if (ts.isTaggedTemplateExpression(node)) {
      if (seen.has(node.template)) continue;
      const verdict = tagVerdict(model, node.tag);
      if (verdict === 'plain') add(node.template, undefined, false, certaintyOf('unknown', fileDialect(), true));
      else if (isFragment(node)) add(node.template, undefined, false, verdict === 'foreign' ? undefined : certaintyOf('unknown', fileDialect(), true));
      // A PostgreSQL client's tag runs what it is given; a builder's `sql` may be an expression.
      else if (verdict !== 'unknown') add(node.template, node, true, certaintyOf(verdict, fileDialect(), false), undefined, false, verdict === 'postgres');
    } else if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression) ?? '';
      const method = callee.slice(callee.lastIndexOf('.') + 1);
      const [first, second] = node.arguments;
      if (!QUERY_METHOD_NAMES.has(method) || !first) continue;
      const receiver = ts.isPropertyAccessExpression(node.expression) ? node.expression.expression : undefined;
      const kind = receiver ? model.kindOf(receiver) : model.kindOf(node.expression);
      const certainty = certaintyOf(receiver ? clientVerdict(model, receiver) : verdictOfKind(kind), fileDialect(), false) ?? undefined;
      if (ts.isObjectLiteralExpression(first)) {
        add(propertyValue(first, 'text') ?? propertyValue(first, 'sql'), node, false, certainty, arrayLiteral(propertyValue(first, 'values')));
      } else {
        // knex.raw, MikroORM's execute and Sequelize's query bind with ? (and ?? for identifiers).
        const questionMarks = method === 'raw' || QUESTION_MARK_CLIENTS.has(kind);
        add(first, node, false, certainty, arrayLiteral(second), questionMarks, true);
      }
    } else if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node) || ts.isStringLiteral(node)) {
      if (ts.isTaggedTemplateExpression(node.parent)) continue;
      add(node, undefined, false, certaintyOf('unknown', fileDialect(), !hasSqlMarker(node, source)));
    }
  }
  // Library calls, rendered as the SQL they send; in a project that speaks another dialect, none.
  if (fileDialect() !== 'other') found.push(...operationEntries(model, document));
  return found.sort((left, right) => startOf(left, source) - startOf(right, source));
}

function startOf(entry: EmbeddedSql, source: TS.SourceFile): number {
  return entry.text.toDocument(0) ?? (entry.call ?? entry.literal)?.getStart(source) ?? 0;
}

function certaintyOf(verdict: ClientVerdict, dialect: CodeDialect, plain: boolean): SqlCertainty | undefined {
  if (verdict === 'foreign') return undefined;
  if (verdict === 'postgres') return 'certain';
  if (dialect === 'other') return undefined;
  if (plain) return 'plain';
  return verdict === 'multi' && dialect === 'postgres' ? 'certain' : 'likely';
}

function verdictOfKind(kind: ClientKind | undefined): ClientVerdict {
  if (!kind) return 'unknown';
  if (POSTGRES_CLIENTS.has(kind)) return 'postgres';
  if (MULTI_DIALECT_CLIENTS.has(kind)) return 'multi';
  if (FOREIGN_SQL_CLIENTS.has(kind)) return 'foreign';
  return 'unknown';
}

/** A tag: String.raw is a plain template; a known client or a name that says SQL is SQL; any other tag is not. */
function tagVerdict(model: TsModel, tag: TS.Expression): ClientVerdict | 'plain' {
  const name = dottedName(tag) ?? '';
  if (name === 'String.raw') return 'plain';
  const verdict = clientVerdict(model, tag);
  if (verdict !== 'unknown') return verdict;
  const last = name.slice(name.lastIndexOf('.') + 1);
  // prisma.$queryRaw`…` and $executeRaw`…` on a client not known by its import.
  return RAW_TAGS.has(last) ? 'named' : 'unknown';
}

/**
 * What an expression (a tag, a query's receiver) is: by the kind of its root name, else, for a name
 * that is a callback parameter of a transaction method (`sql.begin(async (tx) => …)`), by what that
 * method's receiver is; a root named `sql` or `SQL` that is bound to nothing known says SQL by its name.
 */
function clientVerdict(model: TsModel, expression: TS.Expression, depth = 0): ClientVerdict {
  const root = rootIdentifier(expression);
  // pool().query(…): the root of a call chain is what the factory returns.
  const kind = model.kindOf(expression) ?? (root ? model.kindOfName(root.text) : undefined);
  if (kind) return verdictOfKind(kind);
  if (!root || depth > 4) return 'unknown';
  const method = transactionCallOf(root);
  if (method && ts.isPropertyAccessExpression(method.expression)) return clientVerdict(model, method.expression.expression, depth + 1);
  return SQL_TAGS.has(root.text) || (ts.isPropertyAccessExpression(expression) && SQL_TAGS.has(expression.name.text)) ? 'named' : 'unknown';
}

function rootIdentifier(expression: TS.Expression): TS.Identifier | undefined {
  let current: TS.Expression = expression;
  while (
    ts.isPropertyAccessExpression(current) ||
    ts.isCallExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isParenthesizedExpression(current) ||
    ts.isAwaitExpression(current)
  )
    current = current.expression;
  return ts.isIdentifier(current) ? current : undefined;
}

/** The `x.begin(…)`-style call whose callback declares `name` as its first parameter, if any. */
function transactionCallOf(name: TS.Identifier): TS.CallExpression | undefined {
  for (let node: TS.Node | undefined = name.parent; node; node = node.parent) {
    if (!isFunctionLike(node)) continue;
    const declares = node.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === name.text);
    if (!declares) continue;
    const call = node.parent;
    if (
      call &&
      ts.isCallExpression(call) &&
      call.arguments.includes(node as TS.Expression) &&
      ts.isPropertyAccessExpression(call.expression) &&
      TRANSACTION_METHODS.has(call.expression.name.text)
    )
      return call;
    return undefined;
  }
  return undefined;
}

/**
 * A piece of a statement rather than a statement: nested in another template's substitution, or
 * extended with `.append(…)` (sql-template-strings) or passed to it.
 */
function isFragment(node: TS.TaggedTemplateExpression): boolean {
  const parent = node.parent;
  if (ts.isTemplateSpan(parent)) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node && parent.name.text === 'append') return true;
  return ts.isCallExpression(parent) && ts.isPropertyAccessExpression(parent.expression) && parent.expression.name.text === 'append';
}

// `/* sql */` (or `/*sql*/`, `/* SQL */`) right before a template literal.
function hasSqlMarker(node: TS.Node, source: TS.SourceFile): boolean {
  if (ts.isStringLiteral(node)) return false;
  // A comment on the same line as the previous token counts as its trailing comment for the compiler.
  const comments = [...(ts.getLeadingCommentRanges(source.text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source.text, node.pos) ?? [])];
  return comments.some((comment) => /^\/\*\s*sql\s*\*\/$/i.test(source.text.slice(comment.pos, comment.end)));
}

function propertyValue(object: TS.ObjectLiteralExpression, name: string): TS.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === name)
      return property.initializer;
  }
  return undefined;
}

function arrayLiteral(node: TS.Node | undefined): TS.ArrayLiteralExpression | undefined {
  return node && ts.isArrayLiteralExpression(node) ? node : undefined;
}

/**
 * The literal's text with escapes decoded and substitutions replaced by $1, $2, … placeholders, with
 * a segment for every run copied verbatim.
 */
function assemble(
  literal: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral | TS.TemplateExpression,
  source: TS.SourceFile,
  document: MappedText,
  questionMarks: boolean,
): { text: MappedText; substitutionCount: number; interpolationCount: number } {
  const segments: Segment[] = [];
  let text = '';
  let substitutionCount = 0;
  let interpolationCount = 0;
  let inSqlString = false;
  const appendRaw = (start: number, end: number) => {
    // start/end: document offsets of raw literal text (between delimiters), escapes still in it.
    let runStart = start;
    let index = start;
    const raw = source.text;
    const flush = (until: number) => {
      if (until > runStart) {
        segments.push({ textStart: text.length, parentStart: runStart, length: until - runStart });
        text += raw.slice(runStart, until);
      }
    };
    while (index < end) {
      if (raw[index] === '\\' && index + 1 < end) {
        flush(index);
        const [decoded, length] = decodeEscape(raw, index);
        text += decoded;
        index += length;
        runStart = index;
      } else if (questionMarks && raw[index] === '?' && !inSqlString) {
        // knex bindings: ? (a value) and ?? (an identifier) become placeholders like ${…}.
        flush(index);
        substitutionCount++;
        text += `$${substitutionCount}`;
        index += raw[index + 1] === '?' ? 2 : 1;
        runStart = index;
      } else {
        if (raw[index] === "'") inSqlString = !inSqlString;
        index++;
      }
    }
    flush(end);
  };
  let quote = '`';
  if (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal)) {
    const start = literal.getStart(source);
    quote = source.text[start];
    appendRaw(start + 1, literal.getEnd() - 1);
  } else {
    const headStart = literal.head.getStart(source);
    appendRaw(headStart + 1, literal.head.getEnd() - 2); // after ` and before ${
    for (const span of literal.templateSpans) {
      substitutionCount++;
      interpolationCount++;
      text += `$${substitutionCount}`;
      const literalStart = span.literal.getStart(source);
      const closing = ts.isTemplateTail(span.literal) ? 1 : 2; // ` or ${
      appendRaw(literalStart + 1, span.literal.getEnd() - closing);
    }
  }
  segments.push({ textStart: text.length, parentStart: literal.getEnd() - 1, length: 0 });
  return { text: MappedText.assembled(document, text, segments, encoderFor(quote)), substitutionCount, interpolationCount };
}

function decodeEscape(raw: string, index: number): [string, number] {
  const next = raw[index + 1];
  switch (next) {
    case 'n':
      return ['\n', 2];
    case 't':
      return ['\t', 2];
    case 'r':
      return ['\r', 2];
    case 'b':
      return ['\b', 2];
    case 'f':
      return ['\f', 2];
    case 'v':
      return ['\v', 2];
    case '0':
      return ['\0', 2];
    case '\r':
      return ['', raw[index + 2] === '\n' ? 3 : 2]; // line continuation
    case '\n':
      return ['', 2];
    case 'x':
      return [String.fromCharCode(parseInt(raw.slice(index + 2, index + 4), 16) || 0), 4];
    case 'u': {
      if (raw[index + 2] === '{') {
        // A broken escape (no closing brace, a value past U+10FFFF) is the compiler's to report;
        // here it decodes to U+FFFD and the rest of the literal is read on.
        const close = raw.indexOf('}', index + 3);
        if (close < 0) return ['\uFFFD', 3];
        const value = parseInt(raw.slice(index + 3, close), 16);
        return [Number.isInteger(value) && value >= 0 && value <= 0x10ffff ? String.fromCodePoint(value) : '\uFFFD', close - index + 1];
      }
      return [String.fromCharCode(parseInt(raw.slice(index + 2, index + 6), 16) || 0), 6];
    }
    default:
      return [next, 2];
  }
}

/** Text a fix inserts into a JavaScript string or template literal. */
function encoderFor(quote: string): (inserted: string) => string {
  return (inserted) => {
    let escaped = inserted.replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`);
    if (quote === '`') escaped = escaped.replace(/\$\{/g, '\\${');
    else escaped = escaped.replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    return escaped;
  };
}
