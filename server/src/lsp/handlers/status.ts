// The server's health as the editor's status bar shows it (custom notification armadilha/status):
// a warning while a configuration file has problems or an edited document's analysis runs past the
// time budget (armadilha.timeBudget.onValidation), an error past its error budget. Each reason is a
// sentence in the user's language, for the status item's tooltip.

import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import type { TimeBudget } from '../../core/config';
import { coreText, type Locale } from '../../core/locale';
import { StatusNotification, type StatusLevel, type StatusParams } from '../../../../shared/protocol';
import type { ServerLog } from './log';

interface SlowDocument {
  file: string;
  ms: number;
  budget: number;
  level: Exclude<StatusLevel, 'ok'>;
}

export class StatusReporter {
  private readonly configProblems = new Map<string, number>();
  private readonly slow = new Map<string, SlowDocument>();
  private sent = '';

  constructor(
    private readonly connection: Connection,
    private readonly log: ServerLog,
    private readonly locale: () => Locale,
  ) {}

  /** How many problems each configuration file read has (files without problems may be left out). */
  configFiles(problems: Map<string, number>): void {
    this.configProblems.clear();
    for (const [file, count] of problems) if (count) this.configProblems.set(file, count);
    this.send();
  }

  /**
   * The time an analysis of an edited document took. Past the budget the status turns to a warning
   * (or an error) and the output channel names the file; within it again, the document is fine again.
   */
  analysed(uri: string, file: string, ms: number, budget: TimeBudget): void {
    const level = ms > budget.error ? 'error' : ms > budget.warn ? 'warning' : undefined;
    const before = this.slow.get(uri);
    if (!level) {
      if (before) {
        this.slow.delete(uri);
        this.send();
      }
      return;
    }
    const limit = level === 'error' ? budget.error : budget.warn;
    // "0 ms over a 0 ms budget" would read as a contradiction: short times keep a decimal.
    const shown = ms < 10 ? Math.round(ms * 10) / 10 : Math.round(ms);
    this.slow.set(uri, { file, ms: shown, budget: limit, level });
    if (before?.level !== level) this.log.warn('logSlow', { file, ms: shown, budget: limit });
    this.send();
  }

  /** A document closed: its slowness no longer matters. */
  forget(uri: string): void {
    if (this.slow.delete(uri)) this.send();
  }

  /** Sends the status when it changed (and once at start, so the client knows the server is fine). */
  send(force = false): void {
    const locale = this.locale();
    const reasons: string[] = [];
    let level: StatusLevel = 'ok';
    for (const [file, count] of this.configProblems) {
      reasons.push(coreText(locale, 'statusConfigProblems', { file: path.basename(path.dirname(file)) + path.sep + path.basename(file), count }));
      level = 'warning';
    }
    for (const document of this.slow.values()) {
      reasons.push(coreText(locale, 'statusSlow', { file: path.basename(document.file), ms: document.ms, budget: document.budget }));
      if (document.level === 'error') level = 'error';
      else if (level === 'ok') level = 'warning';
    }
    const params: StatusParams = { level, reasons };
    const key = JSON.stringify(params);
    if (key === this.sent && !force) return;
    this.sent = key;
    void this.connection.sendNotification(StatusNotification, params);
  }
}
