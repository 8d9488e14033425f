// A real LSP client (vscode-languageserver-protocol over stdio) driving the bundled server
// (dist/server.js). Waits are on conditions (the next matching notification), never on sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { StatusNotification } from '../../shared/protocol';

export interface ClientOptions {
  workspace?: string;
  locale?: string;
  /** What the client answers to workspace/configuration for section "armadilha". */
  settings?: Record<string, unknown>;
  command?: string[];
  /** Declares textDocument.diagnostic (LSP 3.17 pull diagnostics) and the refresh request. */
  pull?: boolean;
  initializationOptions?: Record<string, unknown>;
  /** Which button the user presses in a window/showMessageRequest (default: none, the notification is dismissed). */
  answerMessage?: (params: { type: number; message: string; actions?: Array<{ title: string }> }) => { title: string } | null;
}

export interface ShownDocument {
  uri: string;
  external?: boolean;
  selection?: { start: { line: number; character: number } };
}

export class TestClient {
  readonly connection: ProtocolConnection;
  readonly process: ChildProcess;
  settings: Record<string, unknown>;
  readonly shownDocuments: string[] = [];
  readonly shownDocumentParams: ShownDocument[] = [];
  /** window/logMessage lines (the output channel), in order. */
  readonly logs: Array<{ type: number; message: string }> = [];
  /** window/showMessage and window/showMessageRequest notifications, in order. */
  readonly messages: Array<{ type: number; message: string; actions: string[] }> = [];
  /** armadilha/status notifications, in order. */
  readonly statuses: Array<{ level: string; reasons: string[] }> = [];
  /** workspace/diagnostic/refresh requests received. */
  refreshes = 0;
  private readonly conditionWaiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  /** $/progress notifications received, with the time they arrived. */
  readonly progress: Array<{ kind: string; time: number }> = [];
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly latest = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: Array<{
    uri: string;
    predicate: (params: PublishDiagnosticsParams) => boolean;
    resolve: (params: PublishDiagnosticsParams) => void;
  }> = [];
  private readonly texts = new Map<string, { text: string; version: number; languageId: string }>();
  stderr = '';

  constructor(private readonly options: ClientOptions = {}) {
    this.settings = options.settings ?? {};
    const command = options.command ?? [process.execPath, path.resolve('dist/server.js'), '--stdio'];
    this.process = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.process.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.latest.set(params.uri, params);
      this.published.push(params);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.predicate(params)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(params);
        }
      }
      this.checkConditions();
    });
    this.connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string }> }) => params.items.map(() => this.settings));
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('window/showDocument', (params: ShownDocument) => {
      this.shownDocuments.push(params.uri);
      this.shownDocumentParams.push(params);
      this.checkConditions();
      return { success: true };
    });
    this.connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      this.logs.push(params);
      this.checkConditions();
    });
    this.connection.onNotification('window/showMessage', (params: { type: number; message: string }) => {
      this.messages.push({ ...params, actions: [] });
      this.checkConditions();
    });
    this.connection.onRequest('window/showMessageRequest', (params: { type: number; message: string; actions?: Array<{ title: string }> }) => {
      this.messages.push({ type: params.type, message: params.message, actions: (params.actions ?? []).map((action) => action.title) });
      this.checkConditions();
      return this.options.answerMessage?.(params) ?? null;
    });
    this.connection.onNotification(StatusNotification, (params) => {
      this.statuses.push(params);
      this.checkConditions();
    });
    this.connection.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshes++;
      this.checkConditions();
      return null;
    });
    this.connection.onNotification('$/progress', (params: { value?: { kind?: string } }) => {
      this.progress.push({ kind: params.value?.kind ?? '', time: performance.now() });
    });
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    const workspace = this.options.workspace;
    const pull = this.options.pull;
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      locale: this.options.locale ?? 'en',
      rootUri: workspace ? uriOf(workspace) : null,
      workspaceFolders: workspace ? [{ uri: uriOf(workspace), name: 'test' }] : null,
      initializationOptions: this.options.initializationOptions,
      capabilities: {
        workspace: {
          configuration: true,
          didChangeConfiguration: { dynamicRegistration: true },
          didChangeWatchedFiles: { dynamicRegistration: true },
          workspaceEdit: { documentChanges: true },
          ...(pull ? { diagnostics: { refreshSupport: true } } : {}),
        },
        window: { workDoneProgress: true, showDocument: { support: true }, showMessage: { messageActionItem: { additionalPropertiesSupport: false } } },
        textDocument: {
          publishDiagnostics: { versionSupport: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } } },
          ...(pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
        },
      },
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** Resolves once `check` holds (checked at every message from the server that the client records). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.conditionWaiters.push({ check, resolve }));
  }

  private checkConditions(): void {
    for (const waiter of [...this.conditionWaiters]) {
      if (!waiter.check()) continue;
      this.conditionWaiters.splice(this.conditionWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  /** Opens a document without waiting for diagnostics (a pulling client asks for them). */
  openOnly(uri: string, text: string, languageId = 'sql'): void {
    this.texts.set(uri, { text, version: 1, languageId });
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** Replaces the whole text without waiting for diagnostics. */
  changeOnly(uri: string, text: string): number {
    const document = this.texts.get(uri)!;
    document.text = text;
    document.version++;
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: document.version }, contentChanges: [{ text }] });
    return document.version;
  }

  /** Opens a document and resolves with its first diagnostics that satisfy the predicate. */
  open(uri: string, text: string, languageId = 'sql', predicate: (params: PublishDiagnosticsParams) => boolean = () => true): Promise<Diagnostic[]> {
    this.texts.set(uri, { text, version: 1, languageId });
    const diagnostics = this.nextDiagnostics(uri, (params) => params.version === 1 && predicate(params));
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return diagnostics;
  }

  /** Replaces the whole text and resolves with the diagnostics of the new version. */
  change(uri: string, text: string): Promise<Diagnostic[]> {
    const document = this.texts.get(uri)!;
    document.text = text;
    document.version++;
    const version = document.version;
    const diagnostics = this.nextDiagnostics(uri, (params) => params.version === version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    return diagnostics;
  }

  /** Types one character at an offset (an incremental change) and resolves with the new diagnostics. */
  typeAt(uri: string, offset: number, character: string): Promise<Diagnostic[]> {
    const document = this.texts.get(uri)!;
    const position = positionOf(document.text, offset);
    document.text = document.text.slice(0, offset) + character + document.text.slice(offset);
    document.version++;
    const version = document.version;
    const diagnostics = this.nextDiagnostics(uri, (params) => params.version === version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: position, end: position }, text: character }],
    });
    return diagnostics;
  }

  /** Saves a document (didSave) and resolves with the diagnostics published after it. */
  save(uri: string): Promise<Diagnostic[]> {
    const diagnostics = this.nextDiagnostics(uri);
    void this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    return diagnostics;
  }

  /** The last publishDiagnostics received for a document. */
  latestFor(uri: string): PublishDiagnosticsParams | undefined {
    return this.latest.get(uri);
  }

  text(uri: string): string {
    return this.texts.get(uri)!.text;
  }

  version(uri: string): number {
    return this.texts.get(uri)!.version;
  }

  nextDiagnostics(uri: string, predicate: (params: PublishDiagnosticsParams) => boolean = () => true): Promise<Diagnostic[]> {
    return new Promise((resolve) => this.waiters.push({ uri, predicate, resolve: (params) => resolve(params.diagnostics) }));
  }

  /** Applies a workspace edit the way an editor does (refusing it when the version does not match). */
  applyEdit(edit: WorkspaceEdit): Promise<Diagnostic[]> {
    const change = edit.documentChanges?.[0] as { textDocument: { uri: string; version: number }; edits: TextEdit[] };
    const document = this.texts.get(change.textDocument.uri)!;
    if (change.textDocument.version !== document.version) throw new Error(`stale edit: version ${change.textDocument.version}, document ${document.version}`);
    return this.change(change.textDocument.uri, applyTextEdits(document.text, change.edits));
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

export function uriOf(file: string): string {
  return pathToFileURL(file).toString();
}

export function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

export function offsetOf(text: string, position: { line: number; character: number }): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let line = 0; line < position.line; line++) offset += lines[line].length + 1;
  return offset + position.character;
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  // Insertions at one position appear in array order, as the LSP specification says.
  const withOffsets = edits.map((edit, index) => ({ start: offsetOf(text, edit.range.start), end: offsetOf(text, edit.range.end), text: edit.newText, index }));
  let result = text;
  for (const edit of withOffsets.sort((left, right) => right.start - left.start || right.index - left.index))
    result = result.slice(0, edit.start) + edit.text + result.slice(edit.end);
  return result;
}
