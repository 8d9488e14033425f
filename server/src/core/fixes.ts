// Combining fixes: several findings' fixes applied in one go (fix-all, --fix) must not overlap.

import type { Fix } from './lint';
import type { Edit } from './rule';

/** Non-overlapping edits from several fixes, in document order; a fix that overlaps an earlier one is left out whole. */
export function mergeFixes(fixes: readonly Fix[]): Edit[] {
  const taken: Edit[] = [];
  const overlaps = (edit: Edit, other: Edit) => (edit.start < other.end && other.start < edit.end) || (edit.start === other.start && edit.end === other.end);
  for (const fix of fixes) {
    if (!fix.edits.some((edit) => taken.some((other) => overlaps(edit, other)))) taken.push(...fix.edits);
  }
  return taken.sort((left, right) => left.start - right.start);
}

/** Applies non-overlapping edits to a text; insertions at one point appear in array order (as in LSP). */
export function applyEdits(text: string, edits: readonly Edit[]): string {
  const ordered = edits.map((edit, index) => ({ edit, index })).sort((left, right) => right.edit.start - left.edit.start || right.index - left.index);
  let result = text;
  for (const { edit } of ordered) result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}
