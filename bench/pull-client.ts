// A small LSP client for servers that only answer pulled diagnostics (`textDocument/diagnostic`),
// as `squawk server` does: it never pushes publishDiagnostics.

import { spawn, type ChildProcess } from 'node:child_process';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { track } from './proc';

export interface Pulled {
  items?: Diagnostic[];
  error?: string;
}

export class PullClient {
  readonly process: ChildProcess;
  readonly connection: ProtocolConnection;
  stderr = '';
  private version = new Map<string, number>();

  constructor(command: string[], cwd: string) {
    this.process = track(spawn(command[0], command.slice(1), { cwd, stdio: ['pipe', 'pipe', 'pipe'] }));
    this.process.stderr!.on('data', (chunk) => {
      if (this.stderr.length < 4000) this.stderr += chunk;
    });
    this.connection = createProtocolConnection(new StreamMessageReader(this.process.stdout!), new StreamMessageWriter(this.process.stdin!));
    // Server-to-client requests (registrations and the like) are acknowledged.
    for (const method of ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create', 'window/showMessageRequest'])
      this.connection.onRequest(method, () => null);
    this.connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
    this.connection.onError(() => undefined);
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: null,
      workspaceFolders: null,
      capabilities: { textDocument: { diagnostic: { dynamicRegistration: false }, publishDiagnostics: {} } },
    });
    await this.connection.sendNotification('initialized', {});
  }

  open(uri: string, text: string, languageId = 'sql'): void {
    this.version.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** One incremental change (an insertion at a position). */
  insert(uri: string, position: { line: number; character: number }, text: string): void {
    const version = (this.version.get(uri) ?? 1) + 1;
    this.version.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: position, end: position }, text }],
    });
  }

  async pull(uri: string): Promise<Pulled> {
    try {
      const result = await this.connection.sendRequest<{ items?: Diagnostic[] }>('textDocument/diagnostic', { textDocument: { uri } });
      return { items: result?.items ?? [] };
    } catch (error) {
      return { error: String((error as Error)?.message ?? error).split('\n')[0] };
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // killed at the end anyway
    }
    this.connection.dispose();
  }
}
