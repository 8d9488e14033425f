// Edits that add to TypeScript code in the style already there: a property into an object literal
// (same line or one more line at the properties' indentation, keeping a trailing comma), or an
// argument at the end of a call's argument list.

import type * as TS from 'typescript';
import type { Edit } from '../../core/rule';

/**
 * Adds `property` (e.g. "timeout: 10000") as the last property of an object literal. On a line of
 * its own when the properties are on lines of their own, after any comment that ends the last one.
 */
export function addPropertyEdit(text: string, object: TS.ObjectLiteralExpression, property: string): Edit {
  const open = object.getStart();
  const close = object.getEnd() - 1;
  const properties = object.properties;
  if (!properties.length) {
    const inside = text.slice(open + 1, close);
    if (!inside.includes('\n')) return { start: open + 1, end: close, text: ` ${property} ` };
    return { start: open + 1, end: open + 1, text: `\n${lineIndent(text, open)}  ${property},` };
  }
  const last = properties[properties.length - 1];
  const multiLine = text.slice(open, properties[0].getStart()).includes('\n');
  if (!multiLine) return { start: last.getEnd(), end: last.getEnd(), text: `, ${property}` };
  const indent = lineIndent(text, last.getStart());
  const comma = properties.hasTrailingComma ? nextToken(text, last.getEnd()) : undefined;
  const after = comma === undefined ? last.getEnd() : comma + 1;
  // When the rest of that line is blank or a comment, the new line goes after it; the text in
  // between is written back unchanged (one edit, so that fixes combine).
  const lineEnd = text.indexOf('\n', after);
  const rest = lineEnd < 0 ? '' : text.slice(after, lineEnd);
  const at = lineEnd >= 0 && /^\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(rest) ? lineEnd : after;
  const newLine = `\n${indent}${property}${comma === undefined ? '' : ','}`;
  if (comma !== undefined) return { start: at, end: at, text: newLine };
  return { start: last.getEnd(), end: at, text: `,${text.slice(last.getEnd(), at)}${newLine}` };
}

/** Adds an argument after the last argument of a call (or the only one, when the list is empty). */
export function addArgumentEdit(text: string, call: TS.CallExpression, argument: string): Edit {
  const args = call.arguments;
  if (!args.length) {
    const close = call.getEnd() - 1;
    return { start: close, end: close, text: argument };
  }
  const last = args[args.length - 1];
  if (args.hasTrailingComma) {
    const comma = nextToken(text, last.getEnd());
    const multiLine = text.slice(args[0].getFullStart(), args[0].getStart()).includes('\n');
    return { start: comma + 1, end: comma + 1, text: multiLine ? `\n${lineIndent(text, last.getStart())}${argument},` : ` ${argument},` };
  }
  return { start: last.getEnd(), end: last.getEnd(), text: `, ${argument}` };
}

/** The leading whitespace of the line an offset is on. */
export function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

/** Offset of the first character after `from` that is neither whitespace nor inside a comment. */
function nextToken(text: string, from: number): number {
  let index = from;
  for (;;) {
    while (/\s/.test(text[index] ?? '')) index++;
    if (text.startsWith('//', index)) index = text.indexOf('\n', index) < 0 ? text.length : text.indexOf('\n', index);
    else if (text.startsWith('/*', index)) index = text.indexOf('*/', index) < 0 ? text.length : text.indexOf('*/', index) + 2;
    else return index;
  }
}
