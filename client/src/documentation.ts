// Rule documentation without the network: the pages of docs/rules ship in the package, and "Show
// documentation" (the code action, the hover's link, the command) opens the page in the chosen
// language (armadilha.locale, else VS Code's display language) in VS Code's Markdown preview. The
// picker lists each rule with its summary. Diagnostics keep the public page as codeDescription.href.

import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { RulesRequest } from '../../shared/protocol';

/** The language of what the extension shows: armadilha.locale, or VS Code's display language. */
export function chosenLocale(): 'en' | 'pt-BR' {
  const setting = vscode.workspace.getConfiguration('armadilha').get<string>('locale');
  if (setting === 'en' || setting === 'pt-BR') return setting;
  return /^pt\b/i.test(vscode.env.language) ? 'pt-BR' : 'en';
}

/** The shipped page of a rule in a language. */
export function rulePage(extension: vscode.Uri, ruleId: string, locale = chosenLocale()): vscode.Uri {
  return locale === 'pt-BR'
    ? vscode.Uri.joinPath(extension, 'docs', 'rules', 'pt-BR', `${ruleId}.md`)
    : vscode.Uri.joinPath(extension, 'docs', 'rules', `${ruleId}.md`);
}

export async function showDocumentation(extension: vscode.Uri, client: LanguageClient | undefined, ruleId: string | undefined): Promise<void> {
  const id = ruleId ?? (await pickRule(extension, client));
  if (!id) return;
  const page = rulePage(extension, id);
  if (!fs.existsSync(page.fsPath)) {
    void vscode.window.showWarningMessage(vscode.l10n.t('No documentation for {0}.', id));
    return;
  }
  await vscode.commands.executeCommand('markdown.showPreview', page);
}

/** A quick pick of the rules, each with its summary in the chosen language (from the server). */
async function pickRule(extension: vscode.Uri, client: LanguageClient | undefined): Promise<string | undefined> {
  const answer = await client?.sendRequest(RulesRequest).catch(() => undefined);
  const rules =
    answer?.rules ??
    fs
      .readdirSync(vscode.Uri.joinPath(extension, 'docs', 'rules').fsPath)
      .filter((name) => name.endsWith('.md'))
      .map((name) => ({ id: name.slice(0, -3), summary: '' }));
  const picked = await vscode.window.showQuickPick(
    rules.map((rule) => ({ label: rule.id, detail: rule.summary })),
    { placeHolder: vscode.l10n.t('Which rule?'), matchOnDetail: true },
  );
  return picked?.label;
}
