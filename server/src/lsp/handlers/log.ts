// What the server tells the editor's output channel (window/logMessage): start-up, workspace folders,
// configuration files and their problems, files skipped and why, slow analyses; and, at the verbose
// level (armadilha.logLevel, or armadilha.trace.server other than off), every analysis with its time.
// In the user's language, like everything else the editor shows.

import type { Connection } from 'vscode-languageserver/node';
import { coreText, type CoreTextKey, type Locale } from '../../core/locale';

export type LogLevel = 'info' | 'verbose';

export class ServerLog {
  level: LogLevel = 'info';
  locale: Locale = 'en';
  /** Files whose skip was logged, with the reason: a file skipped again for the same reason is not logged again. */
  private readonly skips = new Map<string, string>();

  constructor(private readonly connection: Connection) {}

  info(key: CoreTextKey, data?: Record<string, string | number>): void {
    this.connection.console.info(coreText(this.locale, key, data));
  }

  warn(key: CoreTextKey, data?: Record<string, string | number>): void {
    this.connection.console.warn(coreText(this.locale, key, data));
  }

  /** Errors of the server itself (a rule that threw): a stack trace, in English. */
  error(message: string): void {
    this.connection.console.error(message);
  }

  /** Logged only at the verbose level. */
  verbose(key: CoreTextKey, data?: Record<string, string | number>): void {
    if (this.level === 'verbose') this.info(key, data);
  }

  /** A file was skipped (too large, another SQL dialect, generated): said once per file and reason. */
  skipped(file: string, reason: string): void {
    if (this.skips.get(file) === reason) return;
    this.skips.set(file, reason);
    this.info('logSkipped', { file, reason });
  }
}

/** The level from the settings: verbose when asked for, or when the client traces the server's messages. */
export function logLevelOf(settings: { logLevel?: unknown; trace?: { server?: unknown } } | undefined): LogLevel {
  if (settings?.logLevel === 'verbose') return 'verbose';
  const trace = settings?.trace?.server;
  return trace === 'messages' || trace === 'verbose' ? 'verbose' : 'info';
}
