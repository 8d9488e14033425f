// Wiring only: capabilities → handlers. Runs over IPC (VS Code), stdio (any editor: armadilha lsp
// --stdio) or a socket; vscode-languageserver picks the transport from the command line.

import * as os from 'node:os';
import {
  CodeActionKind,
  createConnection,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { docsUrl, ruleDocument } from '../core/docs';
import { RULES, ruleById } from '../rules';
import { onCodeAction, SHOW_DOCUMENTATION_COMMAND } from './handlers/code-actions';
import { ConfigProblemsReporter } from './handlers/config-problems';
import { DiagnosticsPublisher } from './handlers/diagnostics';
import { onHover } from './handlers/hover';
import { logLevelOf, ServerLog } from './handlers/log';
import { StatusReporter } from './handlers/status';
import { WorkspaceAnalysis } from './handlers/workspace-analysis';
import { FramingGuard } from './framing-guard';
import { filePath, ServerState } from './state';
import { indexWorkspace, onWatchedFilesChanged, restoreSavedFacts } from './handlers/workspace-files';
import { loadParser } from '../languages/sql/parser';
import { coreText, resolveLocale, type Locale } from '../core/locale';
import { FIX_ALL_KIND } from './adapters';
import {
  AnalyseWorkspaceRequest,
  PeersNotification,
  RuleDocumentationRequest,
  RulesRequest,
  StatisticsRequest,
  type InitializationOptions,
} from '../../../shared/protocol';
import { SERVER_VERSION } from '../core/version';

async function unlessCancelled<T>(token: CancellationToken, handle: () => Promise<T>): Promise<T> {
  // One turn of the event loop lets a $/cancelRequest already on the wire arrive before the work starts.
  await new Promise((resolve) => setImmediate(resolve));
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  const result = await handle();
  if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  return result;
}

export function startServer(connection: Connection = createConnection()): Connection {
  const log = new ServerLog(connection);
  // The language of notifications, the status and the log: armadilha.locale, else the client's.
  let uiLocale: Locale = 'en';
  const locale = () => uiLocale;
  const status = new StatusReporter(connection, log, locale);
  // eslint-disable-next-line prefer-const -- assigned below, after the handlers that read it are declared
  let configProblems: ConfigProblemsReporter | undefined;
  const state = new ServerState(connection, (config) => configProblems?.read(config));
  configProblems = new ConfigProblemsReporter(state, status, log, locale);
  // eslint-disable-next-line prefer-const -- assigned below, after the handlers that read it are declared
  let workspace: WorkspaceAnalysis | undefined;
  const publisher = new DiagnosticsPublisher(state, { log, status, closed: (uri) => void workspace?.documentClosed(uri) });
  workspace = new WorkspaceAnalysis(state, publisher, log);
  publisher.onConfigProblemsDue = () => configProblems.publish();
  let canWatchFiles = false;
  let canRegisterConfiguration = false;
  let documentationCommand: string | undefined;

  /** Window-wide settings: the log level and the language of what the server says outside diagnostics. */
  const readServerSettings = async () => {
    let raw: { locale?: unknown; logLevel?: unknown; trace?: { server?: unknown } } | undefined = state.initializationSettings as typeof raw;
    if (state.canReadConfiguration) raw = (await connection.workspace.getConfiguration({ section: 'armadilha' }).catch(() => raw)) as typeof raw;
    log.level = logLevelOf(raw);
    uiLocale = resolveLocale(typeof raw?.locale === 'string' ? raw.locale : undefined, state.clientLocale);
    log.locale = uiLocale;
  };

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    await loadParser();
    const options = (params.initializationOptions ?? {}) as InitializationOptions;
    state.clientLocale = params.locale ?? options.locale;
    uiLocale = log.locale = resolveLocale(undefined, state.clientLocale);
    state.trusted = options.trusted !== false;
    state.initializationSettings = options.settings;
    state.peers = Array.isArray(options.peers) ? options.peers.map(String) : [];
    documentationCommand = typeof options.documentationCommand === 'string' ? options.documentationCommand : undefined;
    state.canReadConfiguration = !!params.capabilities.workspace?.configuration;
    canRegisterConfiguration = !!params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration;
    canWatchFiles = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    configProblems.canShowDocument = !!params.capabilities.window?.showDocument?.support;
    // LSP 3.17 pull diagnostics for the clients that ask for them; push for the others.
    publisher.pull = !!params.capabilities.textDocument?.diagnostic && options.diagnostics !== 'push';
    publisher.canRefresh = !!params.capabilities.workspace?.diagnostics?.refreshSupport;
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
        ...(publisher.pull ? { diagnosticProvider: { identifier: 'armadilha', interFileDependencies: true, workspaceDiagnostics: true } } : {}),
      },
      serverInfo: { name: 'armadilha', version: SERVER_VERSION },
    };
  });

  connection.onInitialized(async () => {
    if (canRegisterConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'armadilha' });
    if (canWatchFiles) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [
          { globPattern: '**/*.sql' },
          { globPattern: '**/armadilha*.json' },
          { globPattern: '**/{package,tsconfig,jsconfig}.json' },
          { globPattern: '**/*.prisma' },
        ],
      });
    }
    await readServerSettings();
    log.info('logStart', {
      version: SERVER_VERSION,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      locale: uiLocale,
      mode: publisher.pull ? 'pull' : 'push',
    });
    if (state.workspaceFolders.length) log.info('logWorkspaceFolders', { folders: state.workspaceFolders.join(', ') });
    else log.info('logNoWorkspaceFolder');
    if (!state.trusted) log.info('logUntrusted');
    if (state.peers.length) log.info('logCoexistence', { extensions: state.peers.join(', ') });
    status.send(true);
    // The configuration of each workspace folder, read now: its problems show before any file is opened.
    if (state.trusted) for (const folder of state.workspaceFolders) state.configs.configFor(`${folder}/${'armadilha.config.json'}`);
    void indexWorkspace(state, publisher, coreText(uiLocale, 'readingMigrations'))
      .then(({ files, ms }) => files && log.info('logSchemaIndexed', { count: files, ms }))
      .catch((error) => log.error(`Indexing failed: ${(error as Error)?.stack ?? error}`));
  });

  // Configuration files open in the editor (the VS Code client sends them): validated as they are
  // typed, read again when saved; never analysed as code.
  state.documents.onDidChangeContent((change) => {
    if (state.isConfigDocument(change.document.uri)) return configProblems.showLive(change.document.uri, change.document.getText());
    state.touch(change.document.uri);
    publisher.changed(change.document.uri, change.document.getText());
  });
  state.documents.onDidClose((event) => {
    const uri = event.document.uri;
    if (state.isConfigDocument(uri)) return configProblems.publish();
    const analysis = state.latestAnalysis(uri);
    state.forgetAnalysis(uri);
    publisher.clear(uri);
    // Other documents are checked again only if the schema changed, and only once the closes stop.
    if (restoreSavedFacts(state, event.document, analysis)) publisher.recheckAll();
    workspace.changed();
  });
  state.documents.onDidSave((event) => {
    const file = filePath(event.document.uri);
    if (!file || !state.isConfigDocument(event.document.uri)) return publisher.saved(event.document.uri);
    log.info('logConfigChanged');
    configProblems.reload([file]);
    publisher.scheduleAll();
    workspace.changed();
  });

  connection.onDidChangeConfiguration(async () => {
    state.forgetSettings();
    await readServerSettings();
    log.info('logSettingsChanged');
    publisher.scheduleAll();
    workspace.changed();
  });
  connection.onDidChangeWatchedFiles((params) => {
    const changed = onWatchedFilesChanged(state, publisher, params);
    if (changed) {
      log.info('logConfigChanged');
      configProblems.reload(changed.configFiles);
      publisher.scheduleAll();
    }
    workspace.changed();
  });
  connection.onNotification(PeersNotification, (params) => {
    const peers = Array.isArray(params?.peers) ? params.peers.map(String) : [];
    if (peers.join(',') === state.peers.join(',')) return;
    state.peers = peers;
    if (peers.length) log.info('logCoexistence', { extensions: peers.join(', ') });
    state.forgetSettings();
    publisher.scheduleAll();
    workspace.changed();
  });

  // A request cancelled while it waited (the user moved on) is answered with RequestCancelled.
  const analysisFor = (uri: string) => (state.isConfigDocument(uri) ? Promise.resolve(undefined) : publisher.analysisFor(uri));
  const typescriptTree = (uri: string, text: string) => state.typescriptTree(uri, text);
  const docsLink = (ruleId: string, ruleLocale: Locale) =>
    documentationCommand ? `command:${documentationCommand}?${encodeURIComponent(JSON.stringify([ruleId]))}` : docsUrl(ruleId, ruleLocale);
  connection.onHover((params, token) => unlessCancelled(token, () => onHover({ analysisFor, typescriptTree, docsLink }, params)));
  connection.onCodeAction((params, token) => unlessCancelled(token, () => onCodeAction(analysisFor, params)));
  connection.onRequest(StatisticsRequest, () => publisher.statistics());

  // Pull diagnostics (LSP 3.17): one document, or the whole workspace.
  connection.languages.diagnostics.on((params, token) =>
    unlessCancelled(token, async () =>
      state.isConfigDocument(params.textDocument.uri)
        ? { kind: DocumentDiagnosticReportKind.Full, items: [] }
        : publisher.pullReport(params.textDocument.uri, params.previousResultId),
    ),
  );
  connection.languages.diagnostics.onWorkspace(async (params, token) => {
    const previous = new Map(params.previousResultIds.map((entry) => [entry.uri, entry.value]));
    for (;;) {
      const reports = await workspace.analyse(token);
      if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      const items: WorkspaceDocumentDiagnosticReport[] = reports.map((report) =>
        previous.get(report.uri) === report.resultId
          ? { kind: DocumentDiagnosticReportKind.Unchanged, uri: report.uri, version: report.version, resultId: report.resultId }
          : { kind: DocumentDiagnosticReportKind.Full, uri: report.uri, version: report.version, resultId: report.resultId, items: report.diagnostics },
      );
      // Nothing new for a client that asks again at once (a long poll): answer at the next change.
      if (!previous.size || items.some((item) => item.kind === DocumentDiagnosticReportKind.Full) || items.length !== previous.size) return { items };
      await workspace.nextChange(token);
    }
  });
  connection.onRequest(AnalyseWorkspaceRequest, async () => {
    const progress = await connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin(coreText(uiLocale, 'workspaceAnalysisTitle'), 0, undefined, false);
    const summary = await workspace.publishAll((done, total) => progress?.report(Math.round((done / Math.max(1, total)) * 100), `${done}/${total}`));
    progress?.done();
    return summary;
  });

  // Editors other than VS Code run this command from the "show documentation" code action: the
  // rule's page opens in the browser. (The VS Code client shows it in a Markdown preview instead.)
  connection.onExecuteCommand(async (params) => {
    if (params.command !== SHOW_DOCUMENTATION_COMMAND) return;
    const ruleId = String(params.arguments?.[0] ?? '');
    await connection.window.showDocument({ uri: docsUrl(ruleId, uiLocale), external: true, takeFocus: true });
  });
  connection.onRequest(RuleDocumentationRequest, (params) => {
    const rule = typeof params?.ruleId === 'string' ? ruleById(params.ruleId) : undefined;
    return { locale: uiLocale, markdown: rule ? ruleDocument(rule, uiLocale) : null };
  });
  connection.onRequest(RulesRequest, () => ({ locale: uiLocale, rules: RULES.map((each) => ({ id: each.id, summary: each.text[uiLocale].summary })) }));

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
