// The commands behind the "Get started with Armadilha" walkthrough's buttons: open a migration with
// a trap (then fix it with Ctrl+.), turn on fix-all on save for SQL, and try a snippet.

import * as vscode from 'vscode';
import { chosenLocale } from './documentation';

const SAMPLE: Record<'en' | 'pt-BR', string> = {
  en: `-- A migration with a trap: the expiry is computed from the wall clock.
-- Put the cursor on the squiggle and press Ctrl+. (Cmd+. on macOS) to fix it.
create table if not exists public.sessions (
  id uuid primary key default gen_random_uuid(),
  expires_at timestamptz not null
);

update public.sessions
set expires_at = clock_timestamp() + interval '1 hour'
where id = '00000000-0000-0000-0000-000000000000';
`,
  'pt-BR': `-- Uma migration com uma armadilha: a expiração é calculada pelo relógio de parede.
-- Ponha o cursor no sublinhado e pressione Ctrl+. (Cmd+. no macOS) para corrigir.
create table if not exists public.sessions (
  id uuid primary key default gen_random_uuid(),
  expires_at timestamptz not null
);

update public.sessions
set expires_at = clock_timestamp() + interval '1 hour'
where id = '00000000-0000-0000-0000-000000000000';
`,
};

export const WALKTHROUGH_COMMANDS: Record<string, () => Promise<void>> = {
  'armadilha.walkthrough.openSample': async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: SAMPLE[chosenLocale()] });
    const editor = await vscode.window.showTextDocument(document);
    const line = document
      .getText()
      .split('\n')
      .findIndex((text) => text.includes('clock_timestamp'));
    const column = document.lineAt(line).text.indexOf('clock_timestamp');
    editor.selection = new vscode.Selection(line, column, line, column);
  },
  'armadilha.walkthrough.enableFixAllOnSave': async () => {
    for (const languageId of ['sql', 'typescript', 'javascript']) {
      const settings = vscode.workspace.getConfiguration('editor', { languageId });
      const current = settings.inspect<Record<string, unknown>>('codeActionsOnSave')?.globalLanguageValue ?? {};
      await settings.update('codeActionsOnSave', { ...current, 'source.fixAll.armadilha': 'explicit' }, vscode.ConfigurationTarget.Global, true);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t("Saving a SQL, TypeScript or JavaScript file now applies Armadilha's safe fixes."));
  },
  'armadilha.walkthrough.trySnippet': async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'sql', content: '' });
    const editor = await vscode.window.showTextDocument(document);
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), 'arm-'));
    await vscode.commands.executeCommand('editor.action.triggerSuggest');
  },
};
