// SQL written inside TypeScript/JavaScript: sql`…` tagged templates (postgres.js, slonik,
// @vercel/postgres, drizzle, Prisma.sql, $queryRaw/$executeRaw), /* sql */ templates, and the text
// argument of query()/raw()/unsafe()/$queryRawUnsafe() calls (also { text: … } objects). Each literal
// becomes a MappedText whose offsets map exactly back into the TypeScript file, across escapes,
// line continuations and ${…} substitutions; a substitution becomes a placeholder that a fix can
// never touch.

import type { ts as TS } from 'ts-morph';
import { MappedText, type Segment } from '../../text/mapped-text';
import { ts } from './project';
import { dottedName, type TsModel } from './ts-file';

export interface EmbeddedSql {
  /** The SQL text (placeholders for substitutions) mapped back into the document. */
  text: MappedText;
  /** The call or tagged template that runs it. */
  call: TS.CallExpression | TS.TaggedTemplateExpression | undefined;
  /** The literal node holding the SQL. */
  literal: TS.StringLiteral | TS.NoSubstitutionTemplateLiteral | TS.TemplateExpression;
  /** Substitutions are bind parameters (tagged templates) rather than text interpolation. */
  substitutionsAreParameters: boolean;
  substitutionCount: number;
  /** The parameters array literal of query(text, [...]) / query({ text, values: [...] }), when literal. */
  parameters: TS.ArrayLiteralExpression | undefined;
}

const QUERY_METHODS = new Set(['query', 'queryObject', 'queryArray', 'raw', 'unsafe', '$queryRawUnsafe', '$executeRawUnsafe', 'execute', 'none', 'one', 'oneOrNone', 'many', 'manyOrNone', 'any', 'result']);
const SQL_START = /^(\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*(select|insert|update|delete|with|begin|start|commit|rollback|end|abort|savepoint|release|create|alter|drop|truncate|grant|revoke|set|reset|lock|refresh|notify|listen|unlisten|call|do|prepare|execute|copy|explain|values|table|merge|vacuum|analyze)\b/i;

/** True when a text begins like a SQL statement (after whitespace and comments). */
export function looksLikeSql(text: string): boolean {
  return SQL_START.test(text);
}

export function findEmbeddedSql(model: TsModel, document: MappedText): EmbeddedSql[] {
  const found: EmbeddedSql[] = [];
  const seen = new Set<TS.Node>();
  const source = model.node;
  const add = (literal: TS.Node | undefined, call: EmbeddedSql['call'], parametersAreBound: boolean, parameters?: TS.ArrayLiteralExpression, questionMarks = false) => {
    if (!literal || seen.has(literal) || !(ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal) || ts.isTemplateExpression(literal))) return;
    seen.add(literal);
    const assembled = assemble(literal, source, document, questionMarks);
    if (!looksLikeSql(assembled.text.text)) return;
    found.push({ ...assembled, call, literal, substitutionsAreParameters: parametersAreBound, parameters });
  };
  for (const node of model.sqlCarriers) {
    if (ts.isTaggedTemplateExpression(node)) {
      // Any tag whose template reads like SQL: sql`…`, this.sql`…`, tx`…`, Prisma.sql`…`, $queryRaw`…`.
      add(node.template, node, true);
    } else if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression) ?? '';
      const method = callee.slice(callee.lastIndexOf('.') + 1);
      const [first, second] = node.arguments;
      if (QUERY_METHODS.has(method) && first) {
        if (ts.isObjectLiteralExpression(first)) {
          add(propertyValue(first, 'text') ?? propertyValue(first, 'sql'), node, false, arrayLiteral(propertyValue(first, 'values')));
        } else add(first, node, false, arrayLiteral(second), method === 'raw'); // knex.raw binds with ?
      }
    } else if ((ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) && !ts.isTaggedTemplateExpression(node.parent) && hasSqlMarker(node, source)) {
      add(node, undefined, false);
    }
  }
  return found;
}

// `/* sql */` (or `/*sql*/`, `/* SQL */`) right before a template literal.
function hasSqlMarker(node: TS.Node, source: TS.SourceFile): boolean {
  // A comment on the same line as the previous token counts as its trailing comment for the compiler.
  const comments = [...(ts.getLeadingCommentRanges(source.text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source.text, node.pos) ?? [])];
  return comments.some((comment) => /^\/\*\s*sql\s*\*\/$/i.test(source.text.slice(comment.pos, comment.end)));
}

function propertyValue(object: TS.ObjectLiteralExpression, name: string): TS.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && ((ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === name)) return property.initializer;
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
): { text: MappedText; substitutionCount: number } {
  const segments: Segment[] = [];
  let text = '';
  let substitutionCount = 0;
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
      text += `$${substitutionCount}`;
      const literalStart = span.literal.getStart(source);
      const closing = ts.isTemplateTail(span.literal) ? 1 : 2; // ` or ${
      appendRaw(literalStart + 1, span.literal.getEnd() - closing);
    }
  }
  segments.push({ textStart: text.length, parentStart: literal.getEnd() - 1, length: 0 });
  return { text: MappedText.assembled(document, text, segments, encoderFor(quote)), substitutionCount };
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
        const close = raw.indexOf('}', index + 3);
        return [String.fromCodePoint(parseInt(raw.slice(index + 3, close), 16) || 0), close - index + 1];
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
