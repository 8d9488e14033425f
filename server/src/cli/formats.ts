// Output formats of `armadilha check`. Lines and columns are 1-based, columns in UTF-16 code units,
// in every format. The JSON shape is a contract (version 1).

import { docsUrl } from '../core/docs';
import type { Coverage, Finding } from '../core/lint';
import { coreText, type Locale } from '../core/locale';
import type { Rule } from '../core/rule';
import { RULES } from '../rules';
import { SERVER_VERSION } from '../core/version';
import { LineIndex } from '../core/text/positions';
import { withOccurrences } from './ci-formats';
import { coverageLine, FOREIGN_REASONS, type RunSummary } from './coverage';

export interface FileReport {
  /** As shown: as given on the command line, or relative to the current folder. */
  file: string;
  /** Absolute path (the baseline and the CI formats name files relative to their own folders). */
  absolute?: string;
  text: string;
  findings: Finding[];
  /** What was analysed in the file (absent when it could not be read). */
  coverage?: Coverage;
}

interface Place {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

function place(lines: LineIndex, start: number, end: number): Place {
  const from = lines.positionAt(start);
  const to = lines.positionAt(end);
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

export function formatJson(reports: FileReport[], summary?: RunSummary): string {
  const findings = reports.flatMap((report) => {
    if (!report.findings.length) return [];
    const lines = new LineIndex(report.text);
    return report.findings.map((finding) => {
      const entry: Record<string, unknown> = {
        file: report.file,
        rule: finding.ruleId,
        severity: finding.severity,
        ...place(lines, finding.start, finding.end),
        message: finding.message,
      };
      const fix = finding.fixes[0];
      if (fix) entry.fix = { title: fix.title, safe: fix.safe, edits: fix.edits.map((edit) => ({ ...place(lines, edit.start, edit.end), text: edit.text })) };
      return entry;
    });
  });
  // `summary` (what was analysed and skipped) was added to version 1: readers that do not know it ignore it.
  return JSON.stringify(summary ? { version: 1, findings, summary } : { version: 1, findings }, null, 2);
}

const SARIF_LEVEL: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

export function formatSarif(reports: FileReport[], locale: Locale, summary?: RunSummary): string {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.id, index]));
  const results = reports.flatMap((report) => {
    if (!report.findings.length) return [];
    const lines = new LineIndex(report.text);
    const artifactLocation = { uri: encodeURI(report.file) };
    return withOccurrences(report).map(({ finding, fingerprint }) => {
      const region = place(lines, finding.start, finding.end);
      const result: Record<string, unknown> = {
        ruleId: finding.ruleId,
        ruleIndex: ruleIndex.get(finding.ruleId),
        level: SARIF_LEVEL[finding.severity],
        message: { text: finding.message },
        locations: [{ physicalLocation: { artifactLocation, region: sarifRegion(region) } }],
        // Code scanning tracks a finding across commits by this, so moving lines keeps its alert.
        partialFingerprints: { 'armadilha/v1': fingerprint },
      };
      if (finding.fixes.length) {
        result.fixes = finding.fixes.map((fix) => ({
          description: { text: fix.title },
          artifactChanges: [
            {
              artifactLocation,
              replacements: fix.edits.map((edit) => ({ deletedRegion: sarifRegion(place(lines, edit.start, edit.end)), insertedContent: { text: edit.text } })),
            },
          ],
        }));
      }
      return result;
    });
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'armadilha',
            version: SERVER_VERSION,
            informationUri: 'https://github.com/armadilha-dev/armadilha',
            rules: RULES.map((rule) => sarifRule(rule, locale)),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
        ...(summary ? { properties: { summary } } : {}),
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}

function sarifRegion(region: Place): Record<string, number> {
  return { startLine: region.line, startColumn: region.column, endLine: region.endLine, endColumn: region.endColumn };
}

function sarifRule(rule: Rule, locale: Locale): Record<string, unknown> {
  const text = rule.text[locale];
  return {
    id: rule.id,
    shortDescription: { text: text.summary },
    fullDescription: { text: `${text.rationale} ${text.remedy}` },
    helpUri: docsUrl(rule.id, locale),
    help: { text: text.remedy },
    defaultConfiguration: { level: SARIF_LEVEL[rule.severity] },
    properties: { skill: `${rule.skill.name} — ${rule.skill.section}`, languages: rule.languages },
  };
}

/**
 * One line per finding, then the totals and what was analysed. Files skipped because they are not
 * PostgreSQL at all (MySQL, templates) are counted in the last line and listed only with `verbose`.
 */
export function formatText(reports: FileReport[], locale: Locale, color: boolean, options: { summary?: RunSummary; verbose?: boolean } = {}): string {
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const severityColor: Record<Finding['severity'], string> = { error: '31', warning: '33', info: '36', hint: '90' };
  const out: string[] = [];
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  let filesWithFindings = 0;
  for (const report of reports) {
    const quiet = !options.verbose && report.coverage?.skipped !== undefined && FOREIGN_REASONS.has(report.coverage.skipped);
    const shown = quiet ? report.findings.filter((finding) => finding.ruleId !== 'skipped-file') : report.findings;
    if (!shown.length) continue;
    filesWithFindings++;
    const lines = new LineIndex(report.text);
    for (const finding of shown) {
      counts[finding.severity]++;
      const at = place(lines, finding.start, finding.end);
      const severity = paint(severityColor[finding.severity], coreText(locale, `severity_${finding.severity}`));
      const fixable = finding.fixes.some((fix) => fix.safe) ? ' [fix]' : '';
      out.push(`${report.file}:${at.line}:${at.column}: ${severity} ${finding.message} ${paint('90', `(${finding.ruleId})${fixable}`)}`);
    }
  }
  const total = counts.error + counts.warning + counts.info + counts.hint;
  if (total) {
    out.push('');
    out.push(
      coreText(locale, 'cliSummary', {
        count: total,
        files: filesWithFindings,
        errors: counts.error,
        warnings: counts.warning,
        infos: counts.info + counts.hint,
      }),
    );
  } else out.push(coreText(locale, 'cliClean', { files: reports.length }));
  if (options.summary) out.push(coverageLine(options.summary, locale, !!options.verbose));
  return out.join('\n');
}
