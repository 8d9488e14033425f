// The lines the "armadilha: check" task writes for the $armadilha problem matcher (package.json
// contributes.problemMatchers): `file:line:column: severity message (rule)`. No vscode import, so
// that a test can match them against the manifest's pattern.

export interface JsonFinding {
  file: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'info' | 'hint';
  rule: string;
  message: string;
}

export function findingLine(finding: JsonFinding): string {
  // The matcher knows error, warning and info; messages are one line.
  const severity = finding.severity === 'hint' ? 'info' : finding.severity;
  return `${finding.file}:${finding.line}:${finding.column}: ${severity} ${finding.message.replace(/\s+/g, ' ')} (${finding.rule})`;
}
