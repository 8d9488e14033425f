// The VS Code client: starts the bundled language server over IPC, passes the display language and
// workspace trust, shows the server state in the status bar and registers the commands. Stays small:
// everything else happens in the server.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, State, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

const LANGUAGES = ['sql', 'typescript', 'typescriptreact', 'javascript', 'javascriptreact'];
const DOCS_SCHEME = 'armadilha-docs';
const SERVER_DOCS_COMMAND = 'armadilha.server.showRuleDocumentation';
let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem;
let output: vscode.LogOutputChannel;
const docsChanged = new vscode.EventEmitter<vscode.Uri>();

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('Armadilha', { log: true });
  statusItem = vscode.window.createStatusBarItem('armadilha.status', vscode.StatusBarAlignment.Right, 100);
  statusItem.name = 'Armadilha';
  statusItem.command = 'armadilha.showOutput';
  context.subscriptions.push(output, statusItem, docsChanged);

  const commands: Record<string, (...args: unknown[]) => unknown> = {
    'armadilha.showOutput': () => output.show(true),
    'armadilha.restartServer': () => restart(context),
    'armadilha.showDocumentation': (ruleId?: unknown) => showDocumentation(typeof ruleId === 'string' ? ruleId : undefined),
  };
  for (const [id, handler] of Object.entries(commands)) context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(DOCS_SCHEME, { onDidChange: docsChanged.event, provideTextDocumentContent: ruleDocumentation }));
  // Trust changes what the server may read (armadilha.config.json): restart with the new state.
  context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => restart(context)));
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
    documentSelector: LANGUAGES.flatMap((language) => [{ scheme: 'file', language }, { scheme: 'untitled', language }]),
    initializationOptions: { locale: vscode.env.language, trusted: vscode.workspace.isTrusted },
    outputChannel: output,
    // Problems are shown as diagnostics and in the status bar, never as pop-up notifications.
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    middleware: {
      // "Show documentation" opens a Markdown preview here instead of a browser.
      provideCodeActions: async (document, range, context, token, next) => {
        const actions = (await next(document, range, context, token)) ?? [];
        for (const action of actions) {
          const command = action instanceof vscode.CodeAction ? action.command : action;
          if (command && command.command === SERVER_DOCS_COMMAND) command.command = 'armadilha.showDocumentation';
        }
        return actions;
      },
    },
  };
  client = new LanguageClient('armadilha', 'Armadilha', serverOptions, clientOptions);
  client.onDidChangeState((event) => showState(event.newState));
  showState(State.Starting);
  statusItem.show();
  await client.start();
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  if (client) {
    await client.stop().catch(() => undefined);
    client = undefined;
  }
  await start(context);
}

function showState(state: State): void {
  const running = state === State.Running;
  const starting = state === State.Starting;
  statusItem.text = running ? '$(shield) Armadilha' : starting ? '$(loading~spin) Armadilha' : '$(error) Armadilha';
  statusItem.tooltip = running
    ? vscode.l10n.t('Armadilha is running. Click to show its output.')
    : starting
      ? vscode.l10n.t('Armadilha is starting…')
      : vscode.l10n.t('Armadilha stopped. Click to show its output, or run "Armadilha: Restart Server".');
  statusItem.backgroundColor = running || starting ? undefined : new vscode.ThemeColor('statusBarItem.errorBackground');
  // Screen readers would otherwise read the icon name ("shield Armadilha").
  statusItem.accessibilityInformation = { label: `Armadilha: ${statusItem.tooltip}`, role: 'button' };
}

async function ruleDocumentation(uri: vscode.Uri): Promise<string> {
  const ruleId = path.basename(uri.path, '.md');
  const answer = await client?.sendRequest<{ markdown: string } | null>('armadilha/ruleDocumentation', { ruleId });
  return answer?.markdown ?? vscode.l10n.t('No documentation for {0}.', ruleId);
}

async function showDocumentation(ruleId: string | undefined): Promise<void> {
  let id = ruleId;
  if (!id) {
    const answer = await client?.sendRequest<{ ruleIds: string[] } | null>('armadilha/ruleDocumentation', { ruleId: 'syntax-error' });
    id = await vscode.window.showQuickPick(answer?.ruleIds ?? [], { placeHolder: vscode.l10n.t('Which rule?') });
  }
  if (!id) return;
  const page = vscode.Uri.from({ scheme: DOCS_SCHEME, path: `/${id}.md` });
  docsChanged.fire(page);
  await vscode.commands.executeCommand('markdown.showPreview', page);
}
