// Output formats for CI systems: GitHub workflow commands (each finding an annotation on the pull
// request's diff) and GitLab's Code Quality report (the merge request widget). Both name files
// relative to the repository root, which is what GitHub and GitLab resolve paths against. Lines and
// columns are 1-based, columns in UTF-16 code units.

import * as path from 'node:path';
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import { findingFingerprint } from '../baseline/baseline';
import type { Finding } from '../core/lint';
import { LineIndex } from '../core/text/positions';
import type { FileReport } from './formats';

const GITHUB_COMMAND: Record<Finding['severity'], string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

/**
 * One workflow command per finding (`::warning file=…,line=…::message`), then `report` (the text
 * report) in a collapsed group of the log: GitHub annotates the diff with at most 10 errors and 10
 * warnings per step, and the log then still has every finding with its place. GitHub places column
 * ranges only within one line, so columns are given only then.
 */
export function formatGithub(reports: FileReport[], root: string, report = ''): string {
  const out: string[] = [];
  for (const report of reports) {
    if (!report.findings.length) continue;
    const lines = new LineIndex(report.text);
    const file = repositoryPath(report, root);
    for (const finding of report.findings) {
      const from = lines.positionAt(finding.start);
      const to = lines.positionAt(finding.end);
      const properties: Array<[string, string | number]> = [
        ['file', file],
        ['line', from.line + 1],
        ['endLine', to.line + 1],
      ];
      if (from.line === to.line) properties.push(['col', from.character + 1], ['endColumn', Math.max(to.character, from.character + 1) + 1]);
      properties.push(['title', `Armadilha: ${finding.ruleId}`]);
      const message = `${finding.message}\n${finding.docsUrl}`;
      out.push(
        `::${GITHUB_COMMAND[finding.severity]} ${properties.map(([key, value]) => `${key}=${escapeProperty(String(value))}`).join(',')}::${escapeData(message)}`,
      );
    }
  }
  if (report) out.push('::group::Armadilha', report, '::endgroup::');
  return out.join('\n');
}

const GITLAB_SEVERITY: Record<Finding['severity'], string> = { error: 'major', warning: 'minor', info: 'info', hint: 'info' };

/**
 * GitLab's Code Quality report: a JSON array of issues. The fingerprint is unique per issue (GitLab
 * shows only the first issue of a fingerprint) and stable across edits elsewhere in the file: the
 * file, the rule, the baseline fingerprint of the finding's code and its occurrence among equal ones.
 */
export function formatGitlab(reports: FileReport[], root: string): string {
  const issues: unknown[] = [];
  for (const report of reports) {
    if (!report.findings.length) continue;
    const lines = new LineIndex(report.text);
    const file = repositoryPath(report, root);
    for (const { finding, fingerprint } of withOccurrences(report)) {
      issues.push({
        type: 'issue',
        engine_name: 'armadilha',
        check_name: finding.ruleId,
        description: finding.message,
        categories: ['Bug Risk'],
        severity: GITLAB_SEVERITY[finding.severity],
        fingerprint: createHash('sha256').update(`${file}\0${fingerprint}`).digest('hex').slice(0, 32),
        location: { path: file, lines: { begin: lines.positionAt(finding.start).line + 1, end: lines.positionAt(finding.end).line + 1 } },
      });
    }
  }
  return JSON.stringify(issues, null, 2);
}

/**
 * Each finding with `<fingerprint>:<n>`, n counting findings of the same rule and code in the file
 * from 1 (code scanning's partialFingerprints use the same form).
 */
export function withOccurrences(report: FileReport): Array<{ finding: Finding; fingerprint: string }> {
  const seen = new Map<string, number>();
  return report.findings.map((finding) => {
    const fingerprint = findingFingerprint(report.text, finding);
    const occurrence = (seen.get(fingerprint) ?? 0) + 1;
    seen.set(fingerprint, occurrence);
    return { finding, fingerprint: `${fingerprint}:${occurrence}` };
  });
}

/** The repository holding a folder: the nearest ancestor with .git, else the folder itself. */
export function repositoryRoot(cwd: string): string {
  for (let directory = path.resolve(cwd); ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, '.git'))) return directory;
    if (path.dirname(directory) === directory) return path.resolve(cwd);
  }
}

function repositoryPath(report: FileReport, root: string): string {
  if (!report.absolute) return report.file;
  const relative = path.relative(root, report.absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? report.file : relative.split(path.sep).join('/');
}

// Workflow command escaping (what @actions/core does): the message may hold newlines, properties
// may not hold the separators.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
