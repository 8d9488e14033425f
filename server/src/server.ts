// Wiring only: capabilities → handlers. Runs over IPC (VS Code), stdio (any editor: armadilha lsp
// --stdio) or a socket; vscode-languageserver picks the transport from the command line.

import * as path from 'node:path';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { docsUrl, ruleDocument } from './docs';
import { RULES, ruleById } from './rules';
import { onCodeAction, SHOW_DOCUMENTATION_COMMAND } from './handlers/code-actions';
import { DiagnosticsPublisher } from './handlers/diagnostics';
import { onHover } from './handlers/hover';
import { FramingGuard } from './framing-guard';
import { filePath, ServerState } from './state';
import { indexWorkspace, onWatchedFilesChanged, restoreSavedFacts } from './handlers/workspace-files';
import { loadParser } from './languages/sql/parser';
import { resolveLocale } from './locale';
import { FIX_ALL_KIND } from './lsp-adapters';
import { SERVER_VERSION } from './version';

/** Custom request: the Markdown documentation of a rule in the user's language. */
export const RULE_DOCUMENTATION_REQUEST = 'armadilha/ruleDocumentation';
/** Custom request for tests and benchmarks: analyses run so far and documents waiting (SchedulerStatistics). */
export const STATISTICS_REQUEST = 'armadilha/statistics';

interface InitializationOptions {
  /** Display language when the client does not send InitializeParams.locale. */
  locale?: string;
  /** False in untrusted workspaces: the project configuration file is not read. */
  trusted?: boolean;
  /** Settings for clients without workspace/configuration. */
  settings?: unknown;
}

async function unlessCancelled<T>(token: CancellationToken, handle: () => Promise<T>): Promise<T> {
  // One turn of the event loop lets a $/cancelRequest already on the wire arrive before the work starts.
  await new Promise((resolve) => setImmediate(resolve));
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  const result = await handle();
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  return result;
}

export function startServer(connection: Connection = createConnection()): Connection {
  const state = new ServerState(connection);
  const publisher = new DiagnosticsPublisher(state);
  let canWatchFiles = false;
  let canRegisterConfiguration = false;

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    await loadParser();
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    state.clientLocale = params.locale ?? options.locale;
    state.trusted = options.trusted !== false;
    state.initializationSettings = options.settings;
    state.canReadConfiguration = !!params.capabilities.workspace?.configuration;
    canRegisterConfiguration = !!params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
    canWatchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    state.workspaceFolders = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []))
      .map((folder) => filePath(folder.uri))
      .filter((folder): folder is string => !!folder);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        executeCommandProvider: { commands: [SHOW_DOCUMENTATION_COMMAND] },
        workspace: { workspaceFolders: { supported: true } },
      },
      serverInfo: { name: 'armadilha', version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'armadilha' });
    if (canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.sql' }, { globPattern: '**/armadilha.config.json' }, { globPattern: '**/armadilha-baseline.json' }, { globPattern: '**/{package,tsconfig,jsconfig}.json' }, { globPattern: '**/*.prisma' }],
      });
    }
    const locale = resolveLocale(undefined, state.clientLocale);
    void indexWorkspace(state, publisher, locale === 'pt-BR' ? 'Armadilha: lendo as migrations' : 'Armadilha: reading migrations').catch((error) =>
      connection.console.error(`Indexing failed: ${(error as Error)?.stack ?? error}`),
    );
  });

  state.documents.onDidChangeContent((change) => {
    state.touch(change.document.uri);
    publisher.changed(change.document.uri, change.document.getText());
  });
  state.documents.onDidClose((event) => {
    const uri = event.document.uri;
    const analysis = state.latestAnalysis(uri);
    state.forgetAnalysis(uri);
    publisher.clear(uri);
    // Other documents are checked again only if the schema changed, and only once the closes stop.
    if (restoreSavedFacts(state, event.document, analysis)) publisher.recheckAll();
  });
  state.documents.onDidSave((event) => {
    publisher.saved(event.document.uri);
    if (path.basename(event.document.uri) === 'armadilha.config.json') {
      state.forgetProjectConfigs();
      publisher.scheduleAll();
    }
  });

  connection.onDidChangeConfiguration(() => {
    state.forgetSettings();
    publisher.scheduleAll();
  });
  connection.onDidChangeWatchedFiles((params) => onWatchedFilesChanged(state, publisher, params));
  // A request cancelled while it waited (the user moved on) is answered with RequestCancelled.
  const analysisFor = (uri: string) => publisher.analysisFor(uri);
  const typescriptTree = (uri: string, text: string) => state.typescriptTree(uri, text);
  connection.onHover((params, token) => unlessCancelled(token, () => onHover({ analysisFor, typescriptTree }, params)));
  connection.onCodeAction((params, token) => unlessCancelled(token, () => onCodeAction(analysisFor, params)));
  connection.onRequest(STATISTICS_REQUEST, () => publisher.statistics());
  // Editors other than VS Code run this command from the "show documentation" code action: the
  // rule's page opens in the browser. (The VS Code client shows it in a Markdown preview instead.)
  connection.onExecuteCommand(async (params) => {
    if (params.command !== SHOW_DOCUMENTATION_COMMAND) return;
    const ruleId = String(params.arguments?.[0] ?? '');
    const locale = resolveLocale((await state.settingsFor('')).locale, state.clientLocale);
    await connection.window.showDocument({ uri: docsUrl(ruleId, locale), external: true, takeFocus: true });
  });
  connection.onRequest(RULE_DOCUMENTATION_REQUEST, async (params: { ruleId: string }) => {
    const rule = ruleById(params.ruleId);
    if (!rule) return null;
    const locale = resolveLocale((await state.settingsFor('')).locale, state.clientLocale);
    return { markdown: ruleDocument(rule, locale), ruleIds: RULES.map((each) => each.id) };
  });

  state.documents.listen(connection);
  connection.listen();
  if (process.argv.includes('--stdio')) guardStdioFraming(connection);
  return connection;
}

/**
 * Over stdio a framing error (a header block without a valid Content-Length, a length that does not
 * match the body) would leave the server reading from the wrong place for ever: deaf, but alive, so
 * the client would not restart it. It exits instead, with a non-zero code; clients restart a server
 * that exits unexpectedly.
 */
function guardStdioFraming(connection: Connection): void {
  const guard = new FramingGuard((reason) => {
    const message = `Armadilha: the client sent ${reason}; the messages that follow cannot be read, so the server exits (the editor restarts it).`;
    process.stderr.write(`${message}\n`);
    try {
      connection.console.error(message);
    } catch {
      // the connection may be closed already
    }
    process.exit(1);
  });
  process.stdin.on('data', (chunk: Buffer) => guard.push(chunk));
}
