// A statement the user is typing is incomplete most of the time: a red squiggle under `arm-` while a
// snippet prefix is being typed, or under `select * from` before the table name, is noise. Syntax
// errors of the statement that holds the latest edit are held back until the user pauses (PAUSE_MS
// without an edit to that document) or saves; every other finding is published at once.

import type { Finding } from '../../core/lint';
import { commonEnds } from '../../core/incremental/text-edit';

export const PAUSE_MS = 1500;

interface LastEdit {
  /** Offsets in the document's current text: what the latest edit inserted (empty for a deletion). */
  start: number;
  end: number;
  at: number;
}

export class TypingHoldback {
  private readonly texts = new Map<string, string>();
  private readonly edits = new Map<string, LastEdit>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a new version of a document; the first version of a document is not an edit. */
  /** The range of the latest edit, in the current text (tests). */
  lastEdit(uri: string): { start: number; end: number } | undefined {
    const edit = this.edits.get(uri);
    return edit && { start: edit.start, end: edit.end };
  }

  noteText(uri: string, text: string): void {
    const previous = this.texts.get(uri);
    this.texts.set(uri, text);
    if (previous === undefined || previous === text) return;
    const { prefix, suffix } = commonEnds(previous, text);
    this.edits.set(uri, { start: prefix, end: text.length - suffix, at: this.now() });
  }

  /** The user saved or paused: nothing is held back any more. */
  release(uri: string): void {
    this.edits.delete(uri);
  }

  forget(uri: string): void {
    this.texts.delete(uri);
    this.edits.delete(uri);
  }

  /**
   * The findings to publish now, and when to publish again (milliseconds from now) if some were held
   * back. A syntax error is held back while its statement contains, or touches, the latest edit.
   */
  filter(uri: string, findings: Finding[]): { shown: Finding[]; retryInMs: number | undefined } {
    const edit = this.edits.get(uri);
    if (!edit) return { shown: findings, retryInMs: undefined };
    const remaining = edit.at + PAUSE_MS - this.now();
    if (remaining <= 0) {
      this.edits.delete(uri);
      return { shown: findings, retryInMs: undefined };
    }
    const typing = (finding: Finding) =>
      finding.ruleId === 'syntax-error' && !!finding.statement && finding.statement.start <= edit.end && edit.start <= finding.statement.end;
    const shown = findings.filter((finding) => !typing(finding));
    return { shown, retryInMs: shown.length === findings.length ? undefined : remaining };
  }
}
