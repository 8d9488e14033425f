// The only LSP-aware helpers: Finding ↔ Diagnostic, offset ↔ Position, Fix ↔ WorkspaceEdit.
// Offsets are UTF-16 code units everywhere in Armadilha, which is what LSP positions count too.

import { CodeAction, CodeActionKind, Diagnostic, DiagnosticSeverity, DiagnosticTag, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Edit } from '../core/rule';
import type { Finding } from '../core/lint';
import { LineIndex } from '../core/text/positions';

export const SOURCE = 'armadilha';

/** What a diagnostic carries for its code actions. */
export interface DiagnosticData {
  ruleId: string;
  version: number;
  fixes: Array<{ title: string; safe: boolean; edits: TextEdit[] }>;
  /** Line (0-based) before which a suppression comment for this finding goes. */
  anchorLine: number;
}

const SEVERITY: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toRange(lines: LineIndex, start: number, end: number): Range {
  return { start: lines.positionAt(start), end: lines.positionAt(end) };
}

export function toTextEdits(lines: LineIndex, edits: readonly Edit[]): TextEdit[] {
  return edits.map((edit) => ({ range: toRange(lines, edit.start, edit.end), newText: edit.text }));
}

export function toDiagnostic(finding: Finding, lines: LineIndex, version: number): Diagnostic {
  const data: DiagnosticData = {
    ruleId: finding.ruleId,
    version,
    fixes: finding.fixes.map((fix) => ({ title: fix.title, safe: fix.safe, edits: toTextEdits(lines, fix.edits) })),
    anchorLine: lines.positionAt(finding.anchor).line,
  };
  const diagnostic: Diagnostic = {
    range: toRange(lines, finding.start, finding.end),
    severity: SEVERITY[finding.severity],
    code: finding.ruleId,
    codeDescription: { href: finding.docsUrl },
    source: SOURCE,
    message: finding.message,
    data,
  };
  if (finding.ruleId === 'unused-suppression') diagnostic.tags = [DiagnosticTag.Unnecessary];
  return diagnostic;
}

/** A code action applying edits to one document at one version (the client refuses it if the document changed since). */
export function editAction(
  title: string,
  kind: string,
  uri: string,
  version: number,
  edits: TextEdit[],
  diagnostics?: Diagnostic[],
  isPreferred?: boolean,
): CodeAction {
  const edit: WorkspaceEdit = { documentChanges: [{ textDocument: { uri, version }, edits }] };
  const action: CodeAction = { title, kind, edit };
  if (diagnostics) action.diagnostics = diagnostics;
  if (isPreferred) action.isPreferred = true;
  return action;
}

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.armadilha`;
