// Problems in armadilha.config.json files, shown four ways as soon as a file is read: a diagnostic on
// the file at the offending key, a warning notification once per change of the file with an "Open
// configuration" button, the status bar item in a warning state (lsp/handlers/status.ts), and a log line.
// The defaults stay in force for whatever is broken.

import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { parseConfigText, type ConfigProblem } from '../../core/config';
import type { ConfigFile } from '../../core/config-resolver';
import { RULES } from '../../rules';
import { coreText, type Locale } from '../../core/locale';
import { SOURCE, toRange } from '../adapters';
import { fileUri, type ServerState } from '../state';
import { LineIndex } from '../../core/text/positions';
import type { ServerLog } from './log';
import type { StatusReporter } from './status';

export class ConfigProblemsReporter {
  /** Configuration files whose diagnostics are on screen. */
  private readonly shown = new Set<string>();
  /** What each file looked like when its problems were last notified. */
  private readonly notified = new Map<string, string>();
  private pending: NodeJS.Immediate | undefined;
  /** The text each file had when its reading was last logged. */
  private readonly logged = new Map<string, string>();
  canShowDocument = false;

  constructor(
    private readonly state: ServerState,
    private readonly status: StatusReporter,
    private readonly log: ServerLog,
    private readonly locale: () => Locale,
  ) {}

  /** A configuration file was read (for a document, a CLI-like workspace analysis, or a reload). */
  read(config: ConfigFile): void {
    // Read again unchanged (a save, then the file watcher's event for it): said once.
    if (this.logged.get(config.file) !== config.text) this.logRead(config);
    this.logged.set(config.file, config.text);
    // Files are read while an analysis runs: the problems are shown right after it.
    this.pending ??= setImmediate(() => {
      this.pending = undefined;
      this.publish();
    });
  }

  private logRead(config: ConfigFile): void {
    const extendsText = config.extends.length ? coreText(this.locale(), 'logConfigExtends', { files: config.extends.join(', ') }) : '';
    if (!config.problems.length) this.log.info('logConfigRead', { file: config.file, extends: extendsText });
    else {
      const problems = config.problems.map((problem) => coreText(this.locale(), problem.key, problem.data)).join(' ');
      this.log.warn('logConfigProblems', { file: config.file, extends: extendsText, count: config.problems.length, problems });
    }
  }

  /**
   * Configuration files changed on disk: every file read before, and those that changed, are read
   * again at once, so their problems show now rather than when a document next needs them.
   */
  reload(changed: string[]): void {
    const known = this.state.loadedProjectConfigs().map((config) => config.file);
    this.state.forgetProjectConfigs();
    if (!this.state.trusted) return;
    for (const file of new Set([...known, ...changed])) this.state.configs.configFile(file);
    this.publish();
  }

  /**
   * A configuration file open in the editor changed: its problems as typed, before it is saved (its
   * settings apply once saved; the notification and the status follow the saved file).
   */
  showLive(uri: string, text: string): void {
    this.send(uri, this.diagnosticsOf(text, parseConfigText(text, RULES).problems, this.locale()));
  }

  /** Diagnostics for every configuration file read so far; files fixed or gone get an empty list. */
  publish(): void {
    const locale = this.locale();
    const current = new Set<string>();
    const counts = new Map<string, number>();
    for (const config of this.state.loadedProjectConfigs()) {
      const uri = fileUri(config.file);
      current.add(uri);
      counts.set(config.file, config.problems.length);
      if (!config.problems.length && !this.shown.has(uri)) continue;
      const diagnostics = this.diagnosticsOf(config.text, config.problems, locale);
      // Open with unsaved edits: what is on screen is the edited text's.
      const open = this.state.documents.get(uri);
      if (open && open.getText() !== config.text) this.showLive(uri, open.getText());
      else this.send(uri, diagnostics);
      this.notify(config, diagnostics, locale);
    }
    for (const uri of [...this.shown]) {
      if (current.has(uri)) continue;
      void this.state.connection.sendDiagnostics({ uri, diagnostics: [] });
      this.shown.delete(uri);
    }
    this.status.configFiles(counts);
  }

  private diagnosticsOf(text: string, problems: ConfigProblem[], locale: Locale): Diagnostic[] {
    const lines = new LineIndex(text);
    return problems.map((problem) => ({
      range: toRange(lines, problem.start, problem.end),
      severity: problem.key === 'configInvalidJson' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: 'config-error',
      source: SOURCE,
      message: coreText(locale, problem.key, problem.data),
    }));
  }

  private send(uri: string, diagnostics: Diagnostic[]): void {
    void this.state.connection.sendDiagnostics({ uri, diagnostics });
    if (diagnostics.length) this.shown.add(uri);
    else this.shown.delete(uri);
  }

  /** One notification per change of a broken file, with a button that opens it at the first problem. */
  private notify(config: ConfigFile, diagnostics: Diagnostic[], locale: Locale): void {
    const signature = createHash('sha1')
      .update(config.text)
      .update(JSON.stringify(config.problems.map((problem) => problem.key)))
      .digest('base64');
    if (!diagnostics.length) {
      this.notified.delete(config.file);
      return;
    }
    if (this.notified.get(config.file) === signature) return;
    this.notified.set(config.file, signature);
    const file = path.basename(path.dirname(config.file)) + path.sep + path.basename(config.file);
    const message =
      diagnostics.length === 1
        ? coreText(locale, 'configNotification', { file, problem: diagnostics[0].message as string })
        : coreText(locale, 'configNotificationMany', { file, count: diagnostics.length, problem: diagnostics[0].message as string });
    const open = { title: coreText(locale, 'openConfiguration') };
    void this.state.connection.window.showWarningMessage(message, open).then(
      (choice) => {
        if (choice?.title !== open.title || !this.canShowDocument) return;
        void this.state.connection.window.showDocument({ uri: fileUri(config.file), takeFocus: true, selection: diagnostics[0].range });
      },
      () => undefined,
    );
  }
}
