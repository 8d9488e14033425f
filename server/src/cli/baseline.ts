// `check` with a baseline (armadilha-baseline.json): findings the baseline records are left out of
// the output and of the exit code; --update-baseline records every finding of the files analysed,
// --prune-baseline drops the recorded findings that no longer occur. Entries of files not analysed in
// this run are kept (a run on one folder, or on the changed files, does not forget the others), and
// entries of files that no longer exist are dropped when the file is written.

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BASELINE_FILE_NAME,
  countEntries,
  entriesOf,
  findingFingerprint,
  matchFindings,
  parseBaseline,
  serializeBaseline,
  type Baseline,
} from '../baseline/baseline';
import type { FileReport } from './formats';

export type BaselineMode = 'check' | 'update' | 'prune';

export interface BaselineOutcome {
  /** The reports with only the findings the baseline does not record. */
  reports: FileReport[];
  /** Findings recorded in the baseline, left out of the reports. */
  recorded: number;
  /** Recorded findings that no longer occur (in the files analysed, or in files that are gone). */
  stale: number;
  /** Set when the file was written: how many findings it records now, in how many files. */
  written?: { findings: number; files: number };
}

/** The baseline file `check` uses: the nearest one from the current folder up to the repository root, else one in the current folder. */
export function defaultBaselinePath(cwd: string): string {
  for (let directory = path.resolve(cwd); ; directory = path.dirname(directory)) {
    const candidate = path.join(directory, BASELINE_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    if (fs.existsSync(path.join(directory, '.git')) || path.dirname(directory) === directory) return path.join(path.resolve(cwd), BASELINE_FILE_NAME);
  }
}

/** Reads a baseline file: undefined when it does not exist; throws with a reason when it cannot be read as one. */
export function readBaselineFile(file: string): Baseline | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseBaseline(text);
}

/**
 * Applies the baseline to the reports of a run and, for update and prune, writes the file. `absolute`
 * gives each report's file path (the baseline names files relative to its own folder).
 */
export function applyBaseline(reports: FileReport[], file: string, mode: BaselineMode, baseline: Baseline | undefined): BaselineOutcome {
  const folder = path.dirname(file);
  const current: Baseline = baseline ?? { version: 1, findings: {} };
  const next: Baseline = { version: 1, findings: { ...current.findings } };
  const outcome: BaselineOutcome = { reports: [], recorded: 0, stale: 0 };
  for (const report of reports) {
    const key = baselineKey(folder, report.absolute ?? path.resolve(report.file));
    const fingerprinted = report.findings.map((finding) => ({ finding, fingerprint: findingFingerprint(report.text, finding) }));
    const match = matchFindings(current.findings[key], fingerprinted);
    const kept = mode === 'update' ? [] : match.fresh;
    outcome.recorded += fingerprinted.length - kept.length;
    if (mode === 'check') outcome.stale += match.stale;
    const entries = mode === 'update' ? entriesOf(fingerprinted) : mode === 'prune' ? entriesOf(match.recorded) : current.findings[key];
    if (entries) next.findings[key] = entries;
    else delete next.findings[key];
    outcome.reports.push({ ...report, findings: kept.map((each) => each.finding) });
  }
  for (const key of Object.keys(next.findings)) {
    if (fs.existsSync(path.resolve(folder, key))) continue;
    if (mode === 'check') outcome.stale += countEntries(next.findings[key]);
    delete next.findings[key];
  }
  if (mode !== 'check') {
    const text = serializeBaseline(next);
    const before = baseline ? serializeBaseline(baseline) : undefined;
    if (text !== before) writeAtomically(file, text);
    outcome.written = {
      findings: Object.values(next.findings).reduce((sum, entries) => sum + countEntries(entries), 0),
      files: Object.keys(next.findings).length,
    };
  }
  return outcome;
}

/** A file's name in the baseline: relative to the baseline's folder, with forward slashes. */
export function baselineKey(folder: string, absolute: string): string {
  return path.relative(folder, absolute).split(path.sep).join('/');
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}
