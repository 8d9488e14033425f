// What a `check` run analysed and what it skipped, for the line the text output ends with, the JSON
// `summary` object and SARIF's run properties. A run that analysed nothing says so (and exits 2):
// a CI job pointed at the wrong folder, or at MySQL only, must not pass in silence.

import { languageOfPath, type SkipReason } from '../core/lint';
import { coreText, type CoreTextKey, type Locale } from '../core/locale';
import type { FileReport } from './formats';

export interface RunSummary {
  sql: { files: number; statements: number };
  typescript: { files: number; embeddedQueries: number };
  skipped: { files: number; byReason: Partial<Record<SkipReason, number>> };
  /** With a baseline: its file, the findings it records that were left out, and those that no longer occur. */
  baseline?: { file: string; recorded: number; stale: number };
}

/** Skip reasons that mean "not PostgreSQL or TypeScript at all"; their findings are listed only with --verbose. */
export const FOREIGN_REASONS = new Set<SkipReason>(['mysql', 'clickhouse', 'sqlite', 'tsql', 'go-template', 'jinja', 'template', 'configured', 'generated']);

export function summarize(reports: FileReport[]): RunSummary {
  const summary: RunSummary = { sql: { files: 0, statements: 0 }, typescript: { files: 0, embeddedQueries: 0 }, skipped: { files: 0, byReason: {} } };
  for (const report of reports) {
    const coverage = report.coverage;
    if (!coverage) continue;
    if (coverage.skipped) {
      summary.skipped.files++;
      summary.skipped.byReason[coverage.skipped] = (summary.skipped.byReason[coverage.skipped] ?? 0) + 1;
    } else if (languageOfPath(report.file) === 'sql') {
      summary.sql.files++;
      summary.sql.statements += coverage.statements;
    } else {
      summary.typescript.files++;
      summary.typescript.embeddedQueries += coverage.embeddedQueries;
    }
  }
  return summary;
}

export function analysedNothing(summary: RunSummary): boolean {
  return summary.sql.files + summary.typescript.files === 0;
}

/** "analysed 312 SQL files (4,120 statements), 1,944 TS/JS files (218 embedded queries); skipped 41 files: 38 MySQL, 3 Go templates (see --verbose)" */
export function coverageLine(summary: RunSummary, locale: Locale, verbose: boolean): string {
  // Counts grouped as Intl.NumberFormat groups them (1,234 / 1.234), without it: its first use loads
  // ICU's locale data, a sixth of the startup of a run with nothing to analyse.
  const separator = locale === 'pt-BR' ? '.' : ',';
  const count = (value: number) => String(value).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  let line = coreText(locale, 'cliCoverage', {
    sqlFiles: count(summary.sql.files),
    statements: count(summary.sql.statements),
    tsFiles: count(summary.typescript.files),
    queries: count(summary.typescript.embeddedQueries),
  });
  if (summary.skipped.files) {
    const reasons = (Object.entries(summary.skipped.byReason) as Array<[SkipReason, number]>)
      .sort(([, left], [, right]) => right - left)
      .map(([reason, files]) => `${count(files)} ${coreText(locale, `skipReason_${reason.replace('-', '_')}` as CoreTextKey)}`)
      .join(', ');
    line += coreText(locale, 'cliCoverageSkipped', { files: count(summary.skipped.files), reasons });
    if (!verbose && hasForeignSkips(summary)) line += ` ${coreText(locale, 'cliSeeVerbose')}`;
  }
  return line;
}

function hasForeignSkips(summary: RunSummary): boolean {
  return Object.keys(summary.skipped.byReason).some((reason) => FOREIGN_REASONS.has(reason as SkipReason));
}
