// The reviewed ledger of findings on ../shared/wild (test/ecosystem/verdicts.json): one entry per
// finding, by location only (no code is copied), with a verdict and a one-line reason.
import { readFileSync } from 'node:fs';

export type Verdict = 'true' | 'false' | 'debatable' | 'unreviewed';
export const VERDICTS: Verdict[] = ['true', 'false', 'debatable', 'unreviewed'];

export interface LedgerEntry {
  /** Folder of ../shared/wild (one repository). */
  folder: string;
  /** Path inside it, with / separators. */
  file: string;
  /** 1-based line of the finding. */
  line: number;
  rule: string;
  verdict: Verdict;
  /** Why, in one line (empty only while unreviewed; "sample" entries say so). */
  reason: string;
}

export const LEDGER_FILE = 'test/ecosystem/verdicts.json';

export function readLedger(file = LEDGER_FILE): LedgerEntry[] {
  return JSON.parse(readFileSync(file, 'utf8')) as LedgerEntry[];
}

/** Findings and ledger entries meet on folder, file, line and rule. */
export function keyOf(entry: { folder: string; file: string; line: number; rule: string }): string {
  return `${entry.folder}/${entry.file}:${String(entry.line).padStart(6, '0')}:${entry.rule}`;
}
