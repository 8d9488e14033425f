// The VS Code client: starts the bundled language server over IPC, passes the display language,
// workspace trust and the PostgreSQL extensions installed beside it, shows the server state in the
// status bar and registers the commands and the "armadilha: check" task. Everything else happens in
// the server; the pieces of the client are in status.ts, documentation.ts, middleware.ts, task.ts,
// coexistence.ts and walkthrough.ts.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { installedPeers, watchPeers } from './coexistence';
import { showDocumentation } from './documentation';
import { middleware } from './middleware';
import { AnalyseWorkspaceRequest, PeersNotification, StatusNotification, type InitializationOptions } from '../../shared/protocol';
import { StatusItem } from './status';
import { CheckTaskProvider, TASK_TYPE } from './task';
import { WALKTHROUGH_COMMANDS } from './walkthrough';

// `postgres` and `pgsql`: what other PostgreSQL extensions (squawk's among them) call .sql files.
const LANGUAGES = ['sql', 'postgres', 'pgsql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
let client: LanguageClient | undefined;
let status: StatusItem;
let output: vscode.LogOutputChannel;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Armadilha', { log: true });
  status = new StatusItem();
  context.subscriptions.push(output, status);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'armadilha.showOutput': () => output.show(true),
    'armadilha.restartServer': () => restart(context),
    'armadilha.showDocumentation': (ruleId?: unknown) => showDocumentation(context.extensionUri, client, typeof ruleId === 'string' ? ruleId : undefined),
    'armadilha.analyseWorkspace': () => analyseWorkspace(),
    ...WALKTHROUGH_COMMANDS,
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  context.subscriptions.push(vscode.tasks.registerTaskProvider(TASK_TYPE, new CheckTaskProvider(context)));
  // Trust changes what the server may read (armadilha.config.json): restart with the new state.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => restart(context)));
  context.subscriptions.push(watchPeers((peers) => void client?.sendNotification(PeersNotification, { peers })));
  await start(context);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // armadilha.config.json too: the server validates it as it is typed and reads it again when saved.
    documentSelector: [
      ...LANGUAGES.flatMap((language) => [
        { scheme: 'file', language },
        { scheme: 'untitled', language },
      ]),
      { scheme: 'file', pattern: '**/armadilha.config.json' },
    ],
    initializationOptions: {
      locale: vscode.env.language,
      trusted: vscode.workspace.isTrusted,
      // Pushed diagnostics for open documents; the whole workspace on request (Analyse Workspace, the task).
      diagnostics: 'push',
      documentationCommand: 'armadilha.showDocumentation',
      peers: installedPeers(),
    } satisfies InitializationOptions,
    outputChannel: output,
    // Problems are shown as diagnostics and in the status bar; the server asks for a notification itself when one is due.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // Hovers link to the documentation command (an offline Markdown preview), and only to it.
    markdown: { isTrusted: { enabledCommands: ['armadilha.showDocumentation'] } },
    middleware,
  };
  client = new LanguageClient('armadilha', 'Armadilha', serverOptions, clientOptions);
  client.onDidChangeState((event) => status.clientState(event.newState));
  client.onNotification(StatusNotification, (params) => status.serverStatus(params));
  await client.start();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  await start(context);
}

/** Every file of the workspace analysed; closed files' findings go to the Problems panel. */
async function analyseWorkspace(): Promise<void> {
  if (!client) return;
  const summary = await client.sendRequest(AnalyseWorkspaceRequest);
  const show = vscode.l10n.t('Show Problems');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Armadilha analysed {0} file(s) of the workspace: {1} finding(s).', summary.files, summary.findings),
    show,
  );
  if (choice === show) await vscode.commands.executeCommand('workbench.actions.view.problems');
}
