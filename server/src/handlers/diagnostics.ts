// Decides when open documents are analysed, and pushes their diagnostics. One analysis runs at a time
// (they are synchronous), and between two of them the server reads its messages, so a request waits
// for at most the analysis in flight. Work is taken in this order:
//   1. documents a hover or code action is waiting for (their newest version);
//   2. documents opened or edited, oldest first; a burst of edits gives one analysis of the newest
//      version, and a result for an outdated version is never published;
//   3. documents whose analysis may be out of date because the workspace schema (another document,
//      a migration on disk) or the settings changed: only once no message arrived for a moment, so
//      that a burst (closing 300 documents, a checkout) is taken in first and documents closed
//      meanwhile are never analysed; and only when the schema's facts or the settings really differ
//      from what the document's latest analysis saw.

import { createHash } from 'node:crypto';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { coreText } from '../locale';
import { SOURCE, toDiagnostic, toRange } from '../lsp-adapters';
import { fileUri, type Analysis, type ServerState } from '../state';
import { LineIndex } from '../text/positions';
import { resolveLocale } from '../locale';
import { TypingHoldback } from './typing-holdback';

/**
 * Re-checks wait until the client has sent nothing, and no edited document was analysed, for this
 * long: while someone types in a migration its facts change at every keystroke, and each re-check of
 * the other documents would be superseded by the next one.
 */
const QUIET_MS = 300;
/** Between two analyses, messages are read while they keep coming, up to this long. */
const DRAIN_MS = 50;

export interface SchedulerStatistics {
  /** Lint runs since the server started. */
  analyses: number;
  /** Documents waiting to be analysed. */
  queued: number;
  /** An analysis is under way or due (false, with nothing queued: the server is idle). */
  busy: boolean;
  /** Documents that keep a cache for their next analysis. */
  caches: number;
  /** process.memoryUsage(), in MB. */
  memoryMb: Record<string, number>;
}

export class DiagnosticsPublisher {
  private readonly edited = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly waiters = new Map<string, Array<(analysis: Analysis | undefined) => void>>();
  /** A digest of what was last published per document, to leave out identical pushes after a re-analysis. */
  private readonly published = new Map<string, string>();
  private running = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  private lastActivity = 0;
  private messages = 0;
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
    this.republish(uri);
  }

  /** A document was opened or its text changed. */
  schedule(uri: string): void {
    this.noteMessage();
    this.stale.delete(uri);
    this.edited.add(uri);
    this.wake();
  }

  /** Settings or configuration files changed: every open document, then the configuration problems. */
  scheduleAll(): void {
    this.configProblemsStale = true;
    this.recheckAll();
  }

  /** The workspace schema may have changed: documents analysed with other facts are analysed again. */
  recheckAll(): void {
    this.noteMessage();
    for (const document of this.state.documents.all()) if (!this.edited.has(document.uri)) this.stale.add(document.uri);
    this.wake();
  }

  /** A document closed: its pending work is dropped and its diagnostics cleared. */
  clear(uri: string): void {
    this.noteMessage();
    this.edited.delete(uri);
    this.stale.delete(uri);
    this.published.delete(uri);
    this.resolveWaiters(uri, undefined);
    this.holdback.forget(uri);
    clearTimeout(this.retries.get(uri));
    this.retries.delete(uri);
    void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Any message from the client: background work waits for a quiet moment. */
  noteMessage(): void {
    this.lastActivity = performance.now();
    this.messages++;
  }

  /**
   * The analysis of the document's current version: the latest one when it is for that version (even
   * if the schema or settings changed since: it is what the diagnostics on screen show), else the one
   * made next, as soon as the analysis in flight ends.
   */
  async analysisFor(uri: string): Promise<Analysis | undefined> {
    this.noteMessage();
    const document = this.state.documents.get(uri);
    if (!document) return undefined;
    const latest = this.state.latestAnalysis(uri);
    if (latest && latest.version === document.version) return latest;
    const waiting = new Promise<Analysis | undefined>((resolve) => {
      const list = this.waiters.get(uri);
      if (list) list.push(resolve);
      else this.waiters.set(uri, [resolve]);
    });
    this.wake();
    return waiting;
  }

  statistics(): SchedulerStatistics {
    const memoryMb = Object.fromEntries(Object.entries(process.memoryUsage()).map(([key, bytes]) => [key, Math.round(bytes / 2 ** 20)]));
    return { analyses: this.state.analysisCount, queued: new Set([...this.waiters.keys(), ...this.edited, ...this.stale]).size, busy: this.running || !!this.wakeTimer, caches: this.state.modelCacheCount(), memoryMb };
  }

  private wake(delay = 0): void {
    if (this.running) return; // the loop takes the new work
    const at = performance.now() + delay;
    if (this.wakeTimer && this.wakeAt <= at) return;
    clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    // A timer rather than setImmediate: the connection dispatches one queued message per turn of the
    // event loop, so a burst of edits is taken in before the analysis starts.
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.run();
    }, delay);
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        const next = this.next();
        if (!next) break;
        const foreground = this.waiters.has(next) || this.edited.has(next);
        try {
          await this.process(next);
          // The client may answer these diagnostics with more work (the next document to open).
          if (foreground) this.lastActivity = performance.now();
        } catch (error) {
          this.resolveWaiters(next, undefined);
          this.state.connection.console.error(`Analysis of ${next} failed: ${(error as Error)?.stack ?? error}`);
        }
        await this.readMessages();
      }
    } finally {
      this.running = false;
    }
    if (this.stale.size) this.wake(Math.max(1, QUIET_MS - (performance.now() - this.lastActivity)));
    else if (this.configProblemsStale && !this.edited.size && !this.waiters.size) {
      // Configuration files are read while analysing, so their problems are known only now.
      this.configProblemsStale = false;
      this.publishConfigProblems();
    }
  }

  /**
   * Lets the connection dispatch the messages that arrived during the analysis (one per turn of the
   * event loop) before the next one starts: in a burst, later edits supersede earlier ones, and one
   * analysis of each document's newest version answers every request waiting for it.
   */
  private async readMessages(): Promise<void> {
    const until = performance.now() + DRAIN_MS;
    for (;;) {
      const seen = this.messages;
      // Two turns: a request handler starts its work one turn after the message is dispatched.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      if (this.messages === seen || performance.now() >= until) return;
    }
  }

  private next(): string | undefined {
    for (const uri of this.waiters.keys()) return uri;
    for (const uri of this.edited) return uri;
    if (performance.now() - this.lastActivity < QUIET_MS) return undefined;
    for (const uri of this.stale) return uri;
    return undefined;
  }

  private async process(uri: string): Promise<void> {
    this.edited.delete(uri);
    this.stale.delete(uri);
    const document = this.state.documents.get(uri);
    if (!document) return this.resolveWaiters(uri, undefined);
    const latest = this.state.latestAnalysis(uri);
    if (latest && this.state.isCurrent(latest, document)) return this.resolveWaiters(uri, latest);
    const schemaBefore = this.state.schema.fingerprint();
    const analysis = await this.state.analyze(document);
    // An edited migration changes the schema every other document is analysed with.
    if (this.state.schema.fingerprint() !== schemaBefore) this.recheckOthers(uri);
    this.resolveWaiters(uri, analysis);
    const current = this.state.documents.get(uri);
    if (!current) return;
    if (!analysis) return void this.send(uri, undefined, []);
    // The text changed while settings were read (the analysis is of an older version): its result is
    // not published, and the newest version is analysed next.
    if (current.version !== analysis.version) return void this.edited.add(uri);
    this.sendAnalysis(uri, analysis);
  }

  /** The diagnostics of an analysis, less the syntax errors of the statement being typed (re-sent after a pause). */
  private sendAnalysis(uri: string, analysis: Analysis): void {
    const { shown, retryInMs } = this.holdback.filter(uri, analysis.result.findings);
    clearTimeout(this.retries.get(uri));
    if (retryInMs !== undefined) this.retries.set(uri, setTimeout(() => this.republish(uri), retryInMs).unref());
    this.send(uri, analysis.version, shown.map((finding) => toDiagnostic(finding, analysis.lines, analysis.version)));
  }

  /** Publishes the latest analysis again (after a pause or a save), when it is of the current version. */
  private republish(uri: string): void {
    const analysis = this.state.latestAnalysis(uri);
    const document = this.state.documents.get(uri);
    if (analysis && document && analysis.version === document.version) this.sendAnalysis(uri, analysis);
  }

  private recheckOthers(uri: string): void {
    for (const document of this.state.documents.all()) if (document.uri !== uri && !this.edited.has(document.uri)) this.stale.add(document.uri);
  }

  private send(uri: string, version: number | undefined, diagnostics: Diagnostic[]): void {
    const key = createHash('sha1').update(`${version}\n${JSON.stringify(diagnostics)}`).digest('base64');
    if (this.published.get(uri) === key) return;
    this.published.set(uri, key);
    void this.state.connection.sendDiagnostics({ uri, version, diagnostics });
  }

  private resolveWaiters(uri: string, analysis: Analysis | undefined): void {
    const list = this.waiters.get(uri);
    if (!list) return;
    this.waiters.delete(uri);
    for (const resolve of list) resolve(analysis);
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
