// The baseline: findings a team accepted when it adopted Armadilha on an existing codebase, recorded
// in armadilha-baseline.json so that `check` fails only on new ones and the editor shows the old
// ones quietly. A finding is recorded by file, rule and a fingerprint of its code (not its line), so
// moving lines does not break it; identical code found several times in a file is counted.

import { createHash } from 'node:crypto';
import type { Finding } from '../core/lint';

export const BASELINE_FILE_NAME = 'armadilha-baseline.json';

/** File (relative to the baseline's folder, with forward slashes) → rule → fingerprint → count. */
export type BaselineEntries = Record<string, Record<string, Record<string, number>>>;

export interface Baseline {
  version: 1;
  findings: BaselineEntries;
}

const COMMENT =
  'Findings accepted when Armadilha was adopted: `armadilha check` does not fail on them, and the editor shows them as hints. Written by `armadilha check --update-baseline`; fix them and run `armadilha check --prune-baseline` to shrink this file.';

/**
 * What identifies a finding across edits elsewhere in its file: its rule, the code from the start of
 * its statement (the SQL statement, or the innermost TypeScript statement holding the call) to the
 * end of the line where the finding ends, and the flagged text itself, with runs of white space made
 * one space (re-indenting does not matter; changing the code does).
 */
export function findingFingerprint(text: string, finding: Pick<Finding, 'ruleId' | 'start' | 'end' | 'anchor'>): string {
  const from = Math.max(0, Math.min(finding.anchor, finding.start));
  const lineEnd = text.slice(finding.end).search(/[\r\n]/);
  const to = lineEnd < 0 ? text.length : finding.end + lineEnd;
  const code = collapse(text.slice(from, Math.max(to, finding.end)));
  const flagged = collapse(text.slice(finding.start, finding.end));
  return createHash('sha256').update(`${finding.ruleId}\0${code}\0${flagged}`).digest('hex').slice(0, 16);
}

/** Findings of one file split into those the baseline records and the new ones, and how many recorded ones were not found. */
export interface BaselineMatch<T> {
  recorded: T[];
  fresh: T[];
  /** Recorded findings (by count) that no longer occur in the file. */
  stale: number;
}

/**
 * Matches a file's findings against its baseline entries: of the findings with the same rule and
 * fingerprint, the first `count` (in file order) are recorded, the rest are new.
 */
export function matchFindings<T extends { finding: Finding; fingerprint: string }>(
  entries: Record<string, Record<string, number>> | undefined,
  findings: T[],
): BaselineMatch<T> {
  const left = new Map<string, number>();
  for (const [rule, byFingerprint] of Object.entries(entries ?? {}))
    for (const [fingerprint, count] of Object.entries(byFingerprint)) left.set(`${rule}\0${fingerprint}`, count);
  const result: BaselineMatch<T> = { recorded: [], fresh: [], stale: 0 };
  for (const each of findings) {
    const key = `${each.finding.ruleId}\0${each.fingerprint}`;
    const count = left.get(key) ?? 0;
    if (count > 0) {
      left.set(key, count - 1);
      result.recorded.push(each);
    } else result.fresh.push(each);
  }
  for (const count of left.values()) result.stale += count;
  return result;
}

/** The entries recording exactly these findings of one file (undefined when there are none). */
export function entriesOf(findings: Array<{ finding: Finding; fingerprint: string }>): Record<string, Record<string, number>> | undefined {
  if (!findings.length) return undefined;
  const entries: Record<string, Record<string, number>> = {};
  for (const { finding, fingerprint } of findings) {
    const byFingerprint = (entries[finding.ruleId] ??= {});
    byFingerprint[fingerprint] = (byFingerprint[fingerprint] ?? 0) + 1;
  }
  return entries;
}

/** Reads the text of a baseline file; throws with a short reason when it is not one. */
export function parseBaseline(text: string): Baseline {
  const raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown;
  if (!isObject(raw) || raw.version !== 1 || !isObject(raw.findings)) throw new Error('expected {"version": 1, "findings": {…}}');
  const findings: BaselineEntries = {};
  for (const [file, byRule] of Object.entries(raw.findings)) {
    if (!isObject(byRule)) throw new Error(`"${file}": expected an object of rules`);
    for (const [rule, byFingerprint] of Object.entries(byRule)) {
      if (!isObject(byFingerprint)) throw new Error(`"${file}" › "${rule}": expected an object of fingerprints`);
      for (const [fingerprint, count] of Object.entries(byFingerprint)) {
        if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) throw new Error(`"${file}" › "${rule}" › "${fingerprint}": expected a count`);
        if (count > 0) ((findings[file] ??= {})[rule] ??= {})[fingerprint] = count;
      }
    }
  }
  return { version: 1, findings };
}

/** The text of a baseline file: keys sorted, so that it diffs well in review. */
export function serializeBaseline(baseline: Baseline): string {
  const sorted = (record: Record<string, unknown>) =>
    Object.fromEntries(
      Object.keys(record)
        .sort()
        .map((key) => [key, record[key]]),
    );
  const findings: Record<string, unknown> = {};
  for (const file of Object.keys(baseline.findings).sort()) {
    const byRule: Record<string, unknown> = {};
    for (const rule of Object.keys(baseline.findings[file]).sort()) byRule[rule] = sorted(baseline.findings[file][rule]);
    findings[file] = byRule;
  }
  return `${JSON.stringify({ $comment: COMMENT, version: 1, findings }, null, 2)}\n`;
}

/** How many findings the entries record. */
export function countEntries(entries: Record<string, Record<string, number>> | undefined): number {
  let total = 0;
  for (const byFingerprint of Object.values(entries ?? {})) for (const count of Object.values(byFingerprint)) total += count;
  return total;
}

function collapse(code: string): string {
  return code.replace(/\s+/g, ' ').trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
