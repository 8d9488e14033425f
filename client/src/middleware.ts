// What the client changes in the server's answers before VS Code sees them:
//   - "Show documentation" runs the extension's command (an offline Markdown preview) instead of the
//     server's (a web page);
//   - a "disable" action's placeholder reason becomes a snippet tab stop, so the cursor lands on it;
//   - in an untrusted workspace, the settings that steer the analysis come from the user's settings
//     only, including old per-list keys (armadilha.names.<list>) that Restricted Mode does not know.

import * as vscode from 'vscode';
import type { Middleware } from 'vscode-languageclient/node';

const SERVER_DOCS_COMMAND = 'armadilha.server.showRuleDocumentation';
const RESTRICTED = ['rules', 'ruleCustomizations', 'names', 'maxFileSizeMb'];

export const middleware: Middleware = {
  provideCodeActions: async (document, range, context, token, next) => {
    const actions = (await next(document, range, context, token)) ?? [];
    for (const action of actions) {
      const command = action instanceof vscode.CodeAction ? action.command : action;
      if (command && command.command === SERVER_DOCS_COMMAND) command.command = 'armadilha.showDocumentation';
      if (action instanceof vscode.CodeAction) reasonAsTabStop(action);
    }
    return actions;
  },
  workspace: {
    configuration: async (params, token, next) => {
      const result = await next(params, token);
      if (vscode.workspace.isTrusted || !Array.isArray(result)) return result;
      return (result as unknown[]).map((value, index) => {
        const item = params.items[index];
        if (item?.section !== 'armadilha' || !value || typeof value !== 'object') return value;
        const settings = vscode.workspace.getConfiguration('armadilha', item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined);
        const userOnly = Object.fromEntries(RESTRICTED.map((key) => [key, settings.inspect(key)?.globalValue ?? settings.inspect(key)?.defaultValue]));
        return { ...value, ...userOnly };
      });
    },
  },
};

/** The server marks the reason text of a suppression comment (data.reasonPlaceholder); it becomes ${1:reason}. */
function reasonAsTabStop(action: vscode.CodeAction): void {
  const reason = (action as vscode.CodeAction & { data?: { reasonPlaceholder?: unknown } }).data?.reasonPlaceholder;
  if (typeof reason !== 'string' || !action.edit) return;
  const edit = new vscode.WorkspaceEdit();
  for (const [uri, edits] of action.edit.entries()) {
    edit.set(
      uri,
      edits.map((textEdit) => {
        const at = textEdit.newText.lastIndexOf(` -- ${reason}`);
        if (at < 0) return textEdit;
        const start = at + ' -- '.length;
        const snippet = new vscode.SnippetString()
          .appendText(textEdit.newText.slice(0, start))
          .appendPlaceholder(reason)
          .appendText(textEdit.newText.slice(start + reason.length));
        return new vscode.SnippetTextEdit(textEdit.range, snippet);
      }),
    );
  }
  action.edit = edit;
}
