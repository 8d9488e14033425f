// Pushes diagnostics for open documents. Edits are coalesced: a burst of keystrokes schedules one
// analysis of the newest version, and a result for an outdated version is never published.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { coreText } from '../locale';
import { SOURCE, toDiagnostic, toRange } from '../lsp-adapters';
import { fileUri, type ServerState } from '../state';
import { LineIndex } from '../text/positions';
import { resolveLocale } from '../locale';
import { TypingHoldback } from './typing-holdback';

export class DiagnosticsPublisher {
  private readonly pending = new Set<string>();
  private scheduled = false;
  private configProblemsStale = false;
  /** Syntax errors of the statement being typed wait for a pause or a save. */
  readonly holdback = new TypingHoldback();
  private readonly retries = new Map<string, NodeJS.Timeout>();

  constructor(private readonly state: ServerState) {}

  /** A document changed: note where, then analyse it. */
  changed(uri: string, text: string): void {
    this.holdback.noteText(uri, text);
    this.schedule(uri);
  }

  /** Saved: what was held back while typing is shown now. */
  saved(uri: string): void {
    this.holdback.release(uri);
    this.schedule(uri);
  }

  schedule(uri: string): void {
    this.pending.add(uri);
    if (this.scheduled) return;
    this.scheduled = true;
    // A timer rather than setImmediate: the connection dispatches one queued message per turn of the
    // event loop, so a burst of edits is taken in before the analysis starts, and only the newest
    // version is analysed (about a millisecond later than at once).
    setTimeout(() => void this.flush(), 0);
  }

  /** Re-analyses every open document, then republishes the configuration files' problems. */
  scheduleAll(): void {
    this.configProblemsStale = true;
    for (const document of this.state.documents.all()) this.schedule(document.uri);
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), 0);
    }
  }

  clear(uri: string): void {
    this.pending.delete(uri);
    this.holdback.forget(uri);
    clearTimeout(this.retries.get(uri));
    this.retries.delete(uri);
    void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const uris = [...this.pending];
    this.pending.clear();
    for (const uri of uris) {
      try {
        await this.publish(uri);
      } catch (error) {
        this.state.connection.console.error(`Analysis of ${uri} failed: ${(error as Error)?.stack ?? error}`);
      }
    }
    // Configuration files are read while analysing, so their problems are known only now.
    if (this.configProblemsStale) {
      this.configProblemsStale = false;
      this.publishConfigProblems();
    }
  }

  private async publish(uri: string): Promise<void> {
    const document = this.state.documents.get(uri);
    if (!document) return;
    const analysis = await this.state.analyze(document);
    const current = this.state.documents.get(uri);
    if (!current) return;
    if (!analysis) {
      await this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
      return;
    }
    if (current.version !== analysis.version) {
      this.schedule(uri);
      return;
    }
    const { shown, retryInMs } = this.holdback.filter(uri, analysis.result.findings);
    clearTimeout(this.retries.get(uri));
    if (retryInMs !== undefined) this.retries.set(uri, setTimeout(() => this.schedule(uri), retryInMs).unref());
    const diagnostics = shown.map((finding) => toDiagnostic(finding, analysis.lines, analysis.version));
    await this.state.connection.sendDiagnostics({ uri, version: analysis.version, diagnostics });
  }

  /** One diagnostic per problem of each armadilha.config.json read so far (an empty list clears them). */
  publishConfigProblems(): void {
    const locale = resolveLocale(undefined, this.state.clientLocale);
    for (const config of this.state.loadedProjectConfigs()) {
      const lines = new LineIndex(config.text);
      const diagnostics: Diagnostic[] = config.problems.map((problem) => ({
        range: toRange(lines, problem.start, problem.end),
        severity: problem.key === 'configInvalidJson' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
        code: 'config-error',
        source: SOURCE,
        message: coreText(locale, problem.key, problem.data),
      }));
      void this.state.connection.sendDiagnostics({ uri: fileUri(config.file), diagnostics });
    }
  }
}
