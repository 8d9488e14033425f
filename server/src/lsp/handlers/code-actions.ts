// textDocument/codeAction. Per finding: the fix (preferred when safe), fix all of this rule in the
// file, disable for this statement, disable for the file, show documentation. And the source action
// source.fixAll.armadilha, which applies safe fixes only.

import { CodeAction, CodeActionKind, type CodeActionParams } from 'vscode-languageserver/node';
import { coreText } from '../../core/locale';
import { mergeFixes } from '../../core/fixes';
import { editAction, FIX_ALL_KIND, SOURCE, toTextEdits, type DiagnosticData } from '../adapters';
import { fileSuppressionEdit, lineSuppressionEdit } from '../../core/suppression-edits';
import type { Analysis } from '../state';

export const SHOW_DOCUMENTATION_COMMAND = 'armadilha.server.showRuleDocumentation';

/**
 * What a "disable" action carries for the client: the placeholder reason its comment ends with. The
 * edit stays plain text for every client; the VS Code client turns the reason into a snippet tab stop,
 * so the cursor lands on it and typing replaces it.
 */
export interface SuppressionActionData {
  reasonPlaceholder: string;
}

function withReason(action: CodeAction, insertedText: string, reason: string): CodeAction {
  // An id appended to an existing comment has no reason of its own to fill in.
  if (insertedText.includes(` -- ${reason}`)) action.data = { reasonPlaceholder: reason } satisfies SuppressionActionData;
  return action;
}

/** `analysisFor` gives the latest analysis of the document's current version (see lsp/handlers/diagnostics.ts). */
export async function onCodeAction(analysisFor: (uri: string) => Promise<Analysis | undefined>, params: CodeActionParams): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const analysis = await analysisFor(uri);
  if (!analysis) return [];
  const only = params.context.only;
  const wants = (kind: string) => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const actions: CodeAction[] = [];

  // The fix-all source action is for explicit requests (codeActionsOnSave, "Source Action…"), not the light bulb.
  if (only && wants(FIX_ALL_KIND)) {
    const fixes = analysis.result.findings.flatMap((finding) => finding.fixes.filter((fix) => fix.safe).slice(0, 1));
    if (fixes.length)
      actions.push(editAction(coreText(analysis.locale, 'fixAllSafe'), FIX_ALL_KIND, uri, analysis.version, toTextEdits(analysis.lines, mergeFixes(fixes))));
  }
  if (!wants(CodeActionKind.QuickFix)) return actions;

  const text = analysis.text;
  const reason = coreText(analysis.locale, 'ignoreReasonPlaceholder');
  const seenRules = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    if (diagnostic.source !== SOURCE || typeof diagnostic.code !== 'string') continue;
    const ruleId = diagnostic.code;
    // Diagnostics carry their fixes and anchor; one from an older version of the text is skipped
    // (the client asks again once the new diagnostics arrive).
    const data = diagnostic.data as DiagnosticData | undefined;
    if (!data || data.version !== analysis.version) continue;
    data.fixes.forEach((fix, index) => {
      const title = fix.safe ? fix.title : `${fix.title} ${coreText(analysis.locale, 'unsafeFixSuffix')}`;
      actions.push(editAction(title, CodeActionKind.QuickFix, uri, data.version, fix.edits, [diagnostic], fix.safe && index === 0));
    });
    if (seenRules.has(ruleId)) continue;
    seenRules.add(ruleId);
    const sameRule = analysis.result.findings.filter((other) => other.ruleId === ruleId && other.fixes.length);
    if (sameRule.length > 1) {
      const edits = mergeFixes(sameRule.map((other) => other.fixes[0]));
      actions.push(
        editAction(
          coreText(analysis.locale, 'fixAllOfRule', { rule: ruleId }),
          CodeActionKind.QuickFix,
          uri,
          analysis.version,
          toTextEdits(analysis.lines, edits),
        ),
      );
    }
    if (ruleId !== 'syntax-error' && ruleId !== 'skipped-file') {
      const lineEdit = lineSuppressionEdit(text, analysis.language, ruleId, data.anchorLine, reason, uri);
      actions.push(
        withReason(
          editAction(
            coreText(analysis.locale, 'disableForLine', { rule: ruleId }),
            CodeActionKind.QuickFix,
            uri,
            analysis.version,
            toTextEdits(analysis.lines, [lineEdit]),
          ),
          lineEdit.text,
          reason,
        ),
      );
      const fileEdit = fileSuppressionEdit(text, analysis.language, ruleId, reason, uri);
      actions.push(
        withReason(
          editAction(
            coreText(analysis.locale, 'disableForFile', { rule: ruleId }),
            CodeActionKind.QuickFix,
            uri,
            analysis.version,
            toTextEdits(analysis.lines, [fileEdit]),
          ),
          fileEdit.text,
          reason,
        ),
      );
    }
    actions.push({
      title: coreText(analysis.locale, 'showDocumentation', { rule: ruleId }),
      kind: CodeActionKind.QuickFix,
      command: { title: coreText(analysis.locale, 'showDocumentation', { rule: ruleId }), command: SHOW_DOCUMENTATION_COMMAND, arguments: [ruleId] },
    });
  }
  return actions;
}
