// What every finding and fix reaches users as: ranges on whole characters (never between the two
// halves of a surrogate pair), inside the text and never inverted, and edits that keep the document's
// line endings (a fix must not leave a bare LF in a CRLF file). Applied once, in lint(), to whatever
// the rules report, so that one rule's slip cannot corrupt a file; the slip itself is reported as a
// rule error (logged by the server, failed by the fuzz tests).

import type { Finding } from '../lint';
import type { Edit } from '../rule';

export interface RangeProblem {
  ruleId: string;
  error: RangeSlip;
}

/** A rule reported a range or an edit that had to be corrected or dropped. */
export class RangeSlip extends Error {}

/** Findings with whole-character ranges; fixes with an impossible edit are dropped; edits keep line endings. */
export function guardFindings(text: string, findings: Finding[]): { findings: Finding[]; problems: RangeProblem[] } {
  const problems: RangeProblem[] = [];
  for (const finding of findings) {
    const range = wholeCharacters(text, finding.start, finding.end);
    if (range.start !== finding.start || range.end !== finding.end) {
      problems.push({
        ruleId: finding.ruleId,
        error: new RangeSlip(
          `${finding.ruleId} reported the range ${finding.start}-${finding.end}, which is not on whole characters of a ${text.length}-character text`,
        ),
      });
      finding.start = range.start;
      finding.end = range.end;
    }
    finding.fixes = finding.fixes.filter((fix) => {
      const problem = fix.edits.map((edit) => editProblem(text, edit)).find((each) => each);
      if (problem) problems.push({ ruleId: finding.ruleId, error: new RangeSlip(`${finding.ruleId} fix "${fix.title}": ${problem}; the fix is not offered`) });
      return !problem;
    });
    for (const fix of finding.fixes) fix.edits = fix.edits.map((edit) => withLineEndingsOf(text, edit));
  }
  return { findings, problems };
}

/** True unless the offset falls between the two halves of a surrogate pair. */
export function isCharacterBoundary(text: string, offset: number): boolean {
  if (offset <= 0 || offset >= text.length) return true;
  return !(isHighSurrogate(text.charCodeAt(offset - 1)) && isLowSurrogate(text.charCodeAt(offset)));
}

/** The range clamped to the text, ordered, and widened to whole characters. */
export function wholeCharacters(text: string, start: number, end: number): { start: number; end: number } {
  let from = clamp(Math.min(start, end), text.length);
  let to = clamp(Math.max(start, end), text.length);
  if (!isCharacterBoundary(text, from)) from--;
  if (!isCharacterBoundary(text, to)) to++;
  return { start: from, end: to };
}

/** Why an edit cannot be applied as it is (outside the text, inverted, cutting a character), or undefined. */
export function editProblem(text: string, edit: Edit): string | undefined {
  if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end)) return `the edit ${edit.start}-${edit.end} is not at whole offsets`;
  if (edit.end < edit.start) return `the edit ends (${edit.end}) before it starts (${edit.start})`;
  if (edit.start < 0 || edit.end > text.length) return `the edit ${edit.start}-${edit.end} lies outside the ${text.length}-character text`;
  if (!isCharacterBoundary(text, edit.start) || !isCharacterBoundary(text, edit.end)) return `the edit ${edit.start}-${edit.end} cuts a character in two`;
  return undefined;
}

/**
 * The edit in the document's line endings: a range that would end or start between the CR and the LF
 * of a CRLF stops before the CR (so the line break stays whole), and line breaks in the inserted
 * text are written as the document writes the line they land on.
 */
export function withLineEndingsOf(text: string, edit: Edit): Edit {
  if (!text.includes('\r')) return edit;
  let { start, end } = edit;
  const insideCrlf = (offset: number) => offset > 0 && text.charCodeAt(offset - 1) === 13 && text.charCodeAt(offset) === 10;
  if (insideCrlf(end)) end--;
  if (insideCrlf(start)) start--;
  if (end < start) end = start;
  const lineBreak = lineBreakAt(text, start);
  const inserted = lineBreak === '\r\n' && /(^|[^\r])\n/.test(edit.text) ? edit.text.replace(/\r?\n/g, '\r\n') : edit.text;
  return start === edit.start && end === edit.end && inserted === edit.text ? edit : { start, end, text: inserted };
}

/** The line break ending the line at offset (or, on the last line, the one before it). */
function lineBreakAt(text: string, offset: number): '\r\n' | '\n' | undefined {
  const next = text.indexOf('\n', offset);
  const newline = next >= 0 ? next : text.lastIndexOf('\n', offset);
  if (newline < 0) return undefined;
  return newline > 0 && text.charCodeAt(newline - 1) === 13 ? '\r\n' : '\n';
}

function clamp(offset: number, length: number): number {
  return Math.max(0, Math.min(Number.isFinite(offset) ? Math.trunc(offset) : 0, length));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
