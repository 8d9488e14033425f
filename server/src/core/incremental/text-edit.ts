// What changed between two versions of a document's text, and the line index of the new version
// made from the old one's: on a keystroke in a 50,000-line file, neither scans the text character by
// character.

import { LineIndex } from '../text/positions';

/** Characters compared at once (string comparison is native) before comparing characters. */
const BLOCK = 4096;

/** The lengths of the longest common prefix and, after it, the longest common suffix of two texts. */
export function commonEnds(previous: string, text: string): { prefix: number; suffix: number } {
  const shorter = Math.min(previous.length, text.length);
  let prefix = 0;
  while (prefix + BLOCK <= shorter && previous.slice(prefix, prefix + BLOCK) === text.slice(prefix, prefix + BLOCK)) prefix += BLOCK;
  while (prefix < shorter && previous.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix + BLOCK <= shorter - prefix &&
    previous.slice(previous.length - suffix - BLOCK, previous.length - suffix) === text.slice(text.length - suffix - BLOCK, text.length - suffix)
  )
    suffix += BLOCK;
  while (suffix < shorter - prefix && previous.charCodeAt(previous.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)) suffix++;
  return { prefix, suffix };
}

/**
 * The line index of `text`, from the index of an earlier version: line starts before the edit are
 * kept, those after it moved, and only the edited part is searched for line breaks. Texts with
 * carriage returns (a CR LF pair split by the edit) are indexed from scratch.
 */
export function lineIndexAfterEdit(previous: LineIndex, text: string): LineIndex {
  const before = previous.text;
  if (before === text) return previous;
  // Whether a text has carriage returns is known from its previous version and the edited part
  // (searching a 50,000-line text twice per keystroke cost as much as the rest of this function).
  if (!withoutCarriageReturns.has(previous) && before.includes('\r')) return new LineIndex(text);
  const { prefix, suffix } = commonEnds(before, text);
  if (text.slice(prefix, text.length - suffix).includes('\r')) return new LineIndex(text);
  const old = previous.starts;
  // A line starts at x when x is 0 or text[x - 1] is a line break: unchanged for x ≤ prefix.
  const kept = firstAtOrAfter(previous, prefix + 1);
  const changedEnd = text.length - suffix;
  const added: number[] = [];
  for (let index = text.indexOf('\n', prefix); index >= 0 && index < changedEnd; index = text.indexOf('\n', index + 1)) added.push(index + 1);
  // After the edit, starts whose preceding character lies in the common suffix, moved.
  const delta = text.length - before.length;
  const firstMoved = firstAtOrAfter(previous, before.length - suffix + 1);
  // A typed array: copying 50,000 starts into a growing plain array cost milliseconds per keystroke.
  const starts = new Int32Array(kept + added.length + old.length - firstMoved);
  for (let line = 0; line < kept; line++) starts[line] = old[line];
  starts.set(added, kept);
  for (let line = firstMoved, at = kept + added.length; line < old.length; line++, at++) starts[at] = old[line] + delta;
  const index = new LineIndex(text, starts);
  withoutCarriageReturns.add(index);
  return index;
}

/** Line indexes made by lineIndexAfterEdit: their texts have no carriage return. */
const withoutCarriageReturns = new WeakSet<LineIndex>();

function firstAtOrAfter(index: LineIndex, offset: number): number {
  let low = 0;
  let high = index.lineCount;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (index.lineStart(middle) < offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
