// The whole workspace, open or not: every file `armadilha check` would read in each workspace folder
// (the same walk: .gitignore honoured, vendored and generated code left out), each analysed from disk
// with its own settings, exactly as the CLI analyses it (cli/check.ts). Serves the LSP 3.17
// workspace/diagnostic request for clients that pull, and the "Armadilha: Analyse Workspace" command
// for those that are pushed to. A file's result is kept while the file, the settings and the schema
// stay the same; open documents are reported from their own (newer) analysis.
//
// Analysis runs one file at a time and yields to the editor between files: a document being typed in
// is analysed first (DiagnosticsPublisher.whenForegroundIdle), and hovers are answered in between.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CancellationToken, Diagnostic } from 'vscode-languageserver/node';
import { CONFIG_FILE_NAME } from '../../core/config';
import { checkLoaded, readInput } from '../../cli/check';
import { collectFiles } from '../../cli/files';
import { withPeers } from '../../core/coexistence';
import { languageOfPath } from '../../core/lint';
import { resolveLocale } from '../../core/locale';
import { toDiagnostic } from '../adapters';
import { filePath, fileUri, type ServerState } from '../state';
import { LineIndex } from '../../core/text/positions';
import type { DiagnosticsPublisher } from './diagnostics';
import type { ServerLog } from './log';

export interface WorkspaceFileReport {
  uri: string;
  /** The open document's version, or null for a file analysed from disk. */
  version: number | null;
  resultId: string;
  diagnostics: Diagnostic[];
}

export interface WorkspaceSummary {
  files: number;
  findings: number;
}

/** A document version no code action will match: the report is of the file on disk. */
const ON_DISK = -1;
const SLICE_MS = 15;

export class WorkspaceAnalysis {
  private readonly results = new Map<string, { key: string; report: WorkspaceFileReport }>();
  private running: Promise<WorkspaceFileReport[]> | undefined;
  private changeWaiters: Array<() => void> = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Files whose findings were pushed by the command (their diagnostics come back when their document closes). */
  readonly pushed = new Set<string>();

  constructor(
    private readonly state: ServerState,
    private readonly publisher: DiagnosticsPublisher,
    private readonly log: ServerLog,
  ) {}

  /**
   * Every file of the workspace with its diagnostics. One analysis at a time: a second request waits
   * for the one under way and shares its result.
   */
  analyse(token?: CancellationToken, progress?: (done: number, total: number) => void): Promise<WorkspaceFileReport[]> {
    this.running ??= this.run(token, progress).finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * The push variant (the "Analyse Workspace" command): files that are not open get their
   * diagnostics published; open documents already have theirs.
   */
  async publishAll(progress?: (done: number, total: number) => void): Promise<WorkspaceSummary> {
    const reports = await this.analyse(undefined, progress);
    this.pushed.clear();
    let findings = 0;
    for (const report of reports) {
      findings += report.diagnostics.length;
      if (report.version !== null) continue;
      this.pushed.add(report.uri);
      void this.state.connection.sendDiagnostics({ uri: report.uri, diagnostics: report.diagnostics });
    }
    return { files: reports.length, findings };
  }

  /** A document closed: its file's findings on disk are shown again, if the workspace was analysed. */
  async documentClosed(uri: string): Promise<void> {
    if (!this.pushed.has(uri)) return;
    const file = filePath(uri);
    if (!file) return;
    const report = await this.analyseFile(file);
    if (report && !this.state.documents.get(uri)) void this.state.connection.sendDiagnostics({ uri, diagnostics: report.diagnostics });
  }

  /**
   * Something the results depend on changed (settings, configuration, files on disk): a waiting pull
   * answers again, and findings pushed by the command are brought up to date (files whose result
   * does not change are not analysed again).
   */
  changed(): void {
    const waiting = this.changeWaiters;
    this.changeWaiters = [];
    for (const resolve of waiting) resolve();
    if (!this.pushed.size || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.republish().catch((error) => this.log.error(`Workspace analysis failed: ${(error as Error)?.stack ?? error}`));
    }, 500);
  }

  /** The command's findings again: files gone or clean now get an empty list. */
  private async republish(): Promise<void> {
    const before = new Set(this.pushed);
    await this.publishAll();
    for (const uri of before) {
      if (this.pushed.has(uri)) continue;
      if (!this.state.documents.get(uri)) void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** Resolves at the next change, or when the request is cancelled (a long-poll workspace/diagnostic request). */
  nextChange(token: CancellationToken): Promise<void> {
    return new Promise((resolve) => {
      this.changeWaiters.push(resolve);
      token.onCancellationRequested(() => resolve());
    });
  }

  private async run(token: CancellationToken | undefined, progress: ((done: number, total: number) => void) | undefined): Promise<WorkspaceFileReport[]> {
    const started = performance.now();
    const files = await this.listFiles();
    const reports: WorkspaceFileReport[] = [];
    let sliceStart = performance.now();
    for (let index = 0; index < files.length; index++) {
      if (token?.isCancellationRequested) break;
      if (performance.now() - sliceStart > SLICE_MS) {
        progress?.(index, files.length);
        // The document being typed in first; messages (hovers, edits) are read in between.
        await this.publisher.whenForegroundIdle();
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const report = await this.reportOf(files[index]);
      if (report) reports.push(report);
    }
    progress?.(files.length, files.length);
    const findings = reports.reduce((sum, report) => sum + report.diagnostics.length, 0);
    this.log.info('logWorkspaceAnalysis', { files: reports.length, ms: Math.round(performance.now() - started), findings });
    return reports;
  }

  /** The files `armadilha check` would read in every workspace folder. */
  private async listFiles(): Promise<string[]> {
    const files: string[] = [];
    for (const folder of this.state.workspaceFolders) {
      const settings = await this.state.settingsForFile(path.join(folder, CONFIG_FILE_NAME));
      const collected = collectFiles(['.'], folder, {
        analyseGeneratedCode: (absolute, isFolder) =>
          (this.state.trusted
            ? this.state.configs.configFor(isFolder ? path.join(absolute, CONFIG_FILE_NAME) : absolute)?.settings.analyseGeneratedCode
            : undefined) ?? settings.analyseGeneratedCode,
      });
      files.push(...collected.files.map((file) => file.absolute));
    }
    return files;
  }

  private async reportOf(file: string): Promise<WorkspaceFileReport | undefined> {
    const uri = fileUri(file);
    const document = this.state.documents.get(uri);
    if (document) {
      const shown = this.publisher.shownReport(uri);
      return { uri, version: document.version, resultId: shown?.resultId ?? '', diagnostics: shown?.diagnostics ?? [] };
    }
    return this.analyseFile(file);
  }

  /** One closed file from disk, or its result from before when nothing it depends on changed. */
  private async analyseFile(file: string): Promise<WorkspaceFileReport | undefined> {
    const uri = fileUri(file);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.results.delete(file);
      return undefined;
    }
    const key = `${stat.mtimeMs}:${stat.size}:${this.state.settingsGeneration}:${this.state.schema.fingerprint()}:${this.state.peers.join(',')}`;
    const known = this.results.get(file);
    if (known?.key === key) return known.report;
    const language = languageOfPath(file);
    if (!language) return undefined;
    const folder = this.state.workspaceFolderOf(file) ?? path.dirname(file);
    const settings = withPeers(await this.state.settingsForFile(file), language, this.state.peers);
    const locale = resolveLocale(settings.locale, this.state.clientLocale);
    const input = { absolute: file, display: path.relative(folder, file), explicit: true };
    const outcome = readInput(input, settings, locale, folder);
    if (!('loaded' in outcome)) return undefined;
    const config = this.state.trusted ? this.state.configs.configFor(file) : undefined;
    this.state.analysisCount++;
    const checked = checkLoaded(outcome.loaded, this.state.schema, settings, locale, false, undefined, {
      cwd: folder,
      base: config?.base ?? folder,
      project: this.state.project,
    });
    const { findings, text, coverage } = checked.report;
    if (coverage?.skipped) {
      const skip = findings.find((finding) => finding.ruleId === 'skipped-file');
      if (skip) this.log.skipped(file, skip.message);
    }
    const lines = new LineIndex(text);
    const diagnostics = findings.map((finding) => toDiagnostic(finding, lines, ON_DISK));
    const resultId = createHash('sha1').update(JSON.stringify(diagnostics)).digest('base64');
    const report: WorkspaceFileReport = { uri, version: null, resultId, diagnostics };
    this.results.set(file, { key, report });
    return report;
  }
}
