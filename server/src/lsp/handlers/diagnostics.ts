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
// Diagnostics are pushed (publishDiagnostics), or, for clients that pull them (LSP 3.17
// textDocument/diagnostic), kept as the document's report for the next pull, with a refresh request
// when they changed for a reason other than an edit. With `armadilha.run` set to onSave, an edited
// document's diagnostics stay as they were until it is saved. An edited document's analysis longer
// than `armadilha.timeBudget.onValidation` turns the status to a warning (lsp/handlers/status.ts).

import { createHash } from 'node:crypto';
import { DocumentDiagnosticReportKind, type Diagnostic, type DocumentDiagnosticReport } from 'vscode-languageserver/node';
import { toDiagnostic } from '../adapters';
import type { ServerStatistics } from '../../../../shared/protocol';
import { filePath, type Analysis, type ServerState } from '../state';
import type { ServerLog } from './log';
import type { StatusReporter } from './status';
import { TypingHoldback } from './typing-holdback';

/**
 * Re-checks wait until the client has sent nothing, and no edited document was analysed, for this
 * long: while someone types in a migration its facts change at every keystroke, and each re-check of
 * the other documents would be superseded by the next one.
 */
const QUIET_MS = 300;
/** Between two analyses, messages are read while they keep coming, up to this long. */
const DRAIN_MS = 50;

/** What a document's diagnostics are now: pushed, or answered to the next pull. */
interface ShownReport {
  /** A digest of the version and diagnostics: the pull result id. */
  resultId: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
}

export interface PublisherHooks {
  log: ServerLog;
  status: StatusReporter;
  /** A document closed (the workspace analysis shows its findings on disk again). */
  closed?(uri: string): void;
}

export class DiagnosticsPublisher {
  private readonly edited = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly waiters = new Map<string, Array<(analysis: Analysis | undefined) => void>>();
  /** What is on screen per document; identical reports after a re-analysis are not sent again. */
  private readonly shown = new Map<string, ShownReport>();
  /** Documents edited since they were saved while armadilha.run is onSave: their diagnostics wait for the save. */
  private readonly unsaved = new Set<string>();
  private running = false;
  private runningForeground = false;
  private idleWaiters: Array<() => void> = [];
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAt = 0;
  private lastActivity = 0;
  private messages = 0;
  private configProblemsStale = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Syntax errors of the statement being typed wait for a pause or a save. */
  readonly holdback = new TypingHoldback();
  private readonly retries = new Map<string, NodeJS.Timeout>();
  /** Pull mode: diagnostics are answered to textDocument/diagnostic instead of pushed. */
  pull = false;
  /** Pull mode: the client re-pulls when asked to (workspace/diagnostic/refresh). */
  canRefresh = false;
  /** Called once every configuration file read by the analyses is known (lsp/handlers/config-problems.ts). */
  onConfigProblemsDue: () => void = () => undefined;

  constructor(
    private readonly state: ServerState,
    private readonly hooks: PublisherHooks,
  ) {}

  /**
   * A document changed: note where, then analyse it; with armadilha.run onSave, only note that its
   * diagnostics are now of an older version (hovers and code actions still get an analysis of it).
   */
  changed(uri: string, text: string): void {
    this.holdback.noteText(uri, text);
    if (this.state.latestAnalysis(uri)?.run === 'onSave') {
      this.noteMessage();
      this.unsaved.add(uri);
      return;
    }
    this.schedule(uri);
  }

  /** Saved: what was held back while typing is shown now; with run onSave, the document is analysed now. */
  saved(uri: string): void {
    this.holdback.release(uri);
    if (this.unsaved.delete(uri)) this.schedule(uri);
    else this.republish(uri);
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
    this.shown.delete(uri);
    this.unsaved.delete(uri);
    this.resolveWaiters(uri, undefined);
    this.holdback.forget(uri);
    this.hooks.status.forget(uri);
    clearTimeout(this.retries.get(uri));
    this.retries.delete(uri);
    if (!this.pull) void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
    this.hooks.closed?.(uri);
  }

  /**
   * textDocument/diagnostic: the report of the document's current version (analysed first if need
   * be), or "unchanged" when it is what the client has. With run onSave and unsaved edits, the report
   * of the last saved version.
   */
  async pullReport(uri: string, previousResultId: string | undefined): Promise<DocumentDiagnosticReport> {
    if (!this.unsaved.has(uri) || !this.shown.has(uri)) {
      const analysis = await this.analysisFor(uri);
      const document = this.state.documents.get(uri);
      if (analysis && document && analysis.version === document.version && !this.unsaved.has(uri)) this.sendAnalysis(uri, analysis, false);
    }
    const shown = this.shown.get(uri) ?? { resultId: '', version: undefined, diagnostics: [] };
    if (previousResultId && previousResultId === shown.resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: shown.resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId: shown.resultId, items: shown.diagnostics };
  }

  /** The diagnostics on screen for an open document (the workspace report uses them for open documents). */
  shownReport(uri: string): ShownReport | undefined {
    return this.shown.get(uri);
  }

  /** Resolves once no document waits for an analysis as the user types (background work runs after). */
  whenForegroundIdle(): Promise<void> {
    if (!this.runningForeground && !this.waiters.size && !this.edited.size) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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

  statistics(): ServerStatistics {
    const memoryMb = Object.fromEntries(Object.entries(process.memoryUsage()).map(([key, bytes]) => [key, Math.round(bytes / 2 ** 20)]));
    return {
      analyses: this.state.analysisCount,
      queued: new Set([...this.waiters.keys(), ...this.edited, ...this.stale]).size,
      busy: this.running || !!this.wakeTimer,
      caches: this.state.modelCacheCount(),
      memoryMb,
    };
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
        this.runningForeground = foreground;
        try {
          await this.process(next, this.edited.has(next));
          // The client may answer these diagnostics with more work (the next document to open).
          if (foreground) this.lastActivity = performance.now();
        } catch (error) {
          this.resolveWaiters(next, undefined);
          this.hooks.log.error(`Analysis of ${next} failed: ${(error as Error)?.stack ?? String(error)}`);
        }
        this.runningForeground = false;
        await this.readMessages();
        if (!this.waiters.size && !this.edited.size) this.resolveIdle();
      }
    } finally {
      this.running = false;
      this.runningForeground = false;
    }
    if (!this.waiters.size && !this.edited.size) this.resolveIdle();
    if (this.stale.size) this.wake(Math.max(1, QUIET_MS - (performance.now() - this.lastActivity)));
    else if (this.configProblemsStale && !this.edited.size && !this.waiters.size) {
      // Configuration files are read while analysing, so their problems are known only now.
      this.configProblemsStale = false;
      this.onConfigProblemsDue();
    }
  }

  private resolveIdle(): void {
    const waiting = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiting) resolve();
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

  private async process(uri: string, edit: boolean): Promise<void> {
    this.edited.delete(uri);
    this.stale.delete(uri);
    const document = this.state.documents.get(uri);
    if (!document) return this.resolveWaiters(uri, undefined);
    const latest = this.state.latestAnalysis(uri);
    if (latest && this.state.isCurrent(latest, document)) {
      this.resolveWaiters(uri, latest);
      // Analysed for a hover while its diagnostics waited for a save (run onSave): shown now.
      if (!this.unsaved.has(uri) && this.shown.get(uri)?.version !== latest.version) this.sendAnalysis(uri, latest, !edit);
      return;
    }
    const schemaBefore = this.state.schema.fingerprint();
    const analysis = await this.state.analyze(document);
    // An edited migration changes the schema every other document is analysed with.
    if (this.state.schema.fingerprint() !== schemaBefore) this.recheckOthers(uri);
    this.resolveWaiters(uri, analysis);
    const current = this.state.documents.get(uri);
    if (!current) return;
    if (!analysis) return void this.send(uri, undefined, [], !edit);
    this.noteAnalysis(uri, analysis, edit && !!latest);
    // The text changed while settings were read (the analysis is of an older version): its result is
    // not published, and the newest version is analysed next.
    if (current.version !== analysis.version) return void this.edited.add(uri);
    if (analysis.run !== 'onSave') this.unsaved.delete(uri);
    // run onSave: what is on screen is the saved version's, until the next save.
    if (this.unsaved.has(uri)) return;
    this.sendAnalysis(uri, analysis, !edit);
  }

  /** The log line of an analysis, its skip if any, and the time budget of an edited document. */
  private noteAnalysis(uri: string, analysis: Analysis, afterEdit: boolean): void {
    const file = filePath(uri) ?? uri;
    this.hooks.log.verbose('logAnalysis', { file, version: analysis.version, ms: Math.round(analysis.durationMs), count: analysis.result.findings.length });
    if (analysis.result.coverage.skipped) {
      const skip = analysis.result.findings.find((finding) => finding.ruleId === 'skipped-file');
      if (skip) this.hooks.log.skipped(file, skip.message);
    }
    // The first analysis of a document (on opening it) may include loading the parsers: the budget
    // is about typing, so it is judged on analyses that follow an edit.
    if (afterEdit) this.hooks.status.analysed(uri, file, analysis.durationMs, analysis.timeBudget);
  }

  /** The diagnostics of an analysis, less the syntax errors of the statement being typed (re-sent after a pause). */
  private sendAnalysis(uri: string, analysis: Analysis, background: boolean): void {
    const { shown, retryInMs } = this.holdback.filter(uri, analysis.result.findings);
    clearTimeout(this.retries.get(uri));
    if (retryInMs !== undefined) this.retries.set(uri, setTimeout(() => this.republish(uri), retryInMs).unref());
    this.send(
      uri,
      analysis.version,
      shown.map((finding) => toDiagnostic(finding, analysis.lines, analysis.version)),
      background,
    );
  }

  /** Publishes the latest analysis again (after a pause or a save), when it is of the current version. */
  private republish(uri: string): void {
    const analysis = this.state.latestAnalysis(uri);
    const document = this.state.documents.get(uri);
    if (analysis && document && analysis.version === document.version && !this.unsaved.has(uri)) this.sendAnalysis(uri, analysis, true);
  }

  private recheckOthers(uri: string): void {
    for (const document of this.state.documents.all()) if (document.uri !== uri && !this.edited.has(document.uri)) this.stale.add(document.uri);
  }

  /**
   * Pushes the diagnostics, or keeps them for the next pull. `background`: not the answer to an edit
   * (a re-check, a pause, a save), so a pulling client is asked to pull again.
   */
  private send(uri: string, version: number | undefined, diagnostics: Diagnostic[], background: boolean): void {
    const resultId = createHash('sha1')
      .update(`${version}\n${JSON.stringify(diagnostics)}`)
      .digest('base64');
    if (this.shown.get(uri)?.resultId === resultId) return;
    this.shown.set(uri, { resultId, version, diagnostics });
    if (!this.pull) void this.state.connection.sendDiagnostics({ uri, version, diagnostics });
    else if (background) this.requestRefresh();
  }

  /** Asks a pulling client to pull again (once for a burst of changes). */
  requestRefresh(): void {
    if (!this.pull || !this.canRefresh || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.state.connection.languages.diagnostics.refresh().catch(() => undefined);
    }, 50);
  }

  private resolveWaiters(uri: string, analysis: Analysis | undefined): void {
    const list = this.waiters.get(uri);
    if (!list) return;
    this.waiters.delete(uri);
    for (const resolve of list) resolve(analysis);
  }
}
