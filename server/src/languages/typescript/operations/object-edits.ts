// Edits that add a property to an options object as the code lays it out: `{ where }` becomes
// `{ where, lock: t.LOCK.UPDATE }`; in an object written one property per line the new property gets
// a line of its own, at the indentation of the others.

import type * as TS from 'typescript';
import type { Edit } from '../../../core/rule';
import { ts } from '../project';
import { unwrapExpression } from './chain';

/**
 * An edit that adds `property` (its source text) at the end of an options object literal, or a new
 * `{ property }` argument after `after` when the call passes no options. Undefined when the options
 * are not an object literal (a variable, a spread of unknown options).
 */
export function addPropertyEdit(options: TS.Expression | undefined, property: string, after: TS.Node | undefined, source: TS.SourceFile): Edit | undefined {
  if (!options) return after ? { start: after.getEnd(), end: after.getEnd(), text: `, { ${property} }` } : undefined;
  const object = unwrapExpression(options);
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  const last = object.properties[object.properties.length - 1];
  if (!last) {
    const at = object.getStart(source) + 1;
    return { start: at, end: object.getEnd() - 1, text: ` ${property} ` };
  }
  const text = source.text;
  const lineOf = (offset: number) => source.getLineAndCharacterOfPosition(offset).line;
  const multiLine = lineOf(object.getStart(source)) !== lineOf(last.getStart(source));
  const trailingComma = object.properties.hasTrailingComma;
  const end = trailingComma ? text.indexOf(',', last.getEnd()) + 1 : last.getEnd();
  if (!multiLine) return { start: end, end, text: trailingComma ? ` ${property},` : `, ${property}` };
  const lineStart = text.lastIndexOf('\n', last.getStart(source)) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return { start: end, end, text: `${trailingComma ? '' : ','}\n${indent}${property}${trailingComma ? ',' : ''}` };
}
