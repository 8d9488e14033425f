// The Armadilha status bar item: the language client's state (starting, running, stopped), and the
// server's own status (armadilha/status): a warning while a configuration file has problems or a
// document is slow to analyse, with the reasons in the tooltip. Clicking it shows the output channel.

import * as vscode from 'vscode';
import { State } from 'vscode-languageclient/node';
import type { StatusParams } from '../../shared/protocol';

/** Text shown as is in Markdown (appendText would turn its spaces into non-breaking ones, and long reasons would not wrap). */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('armadilha.status', vscode.StatusBarAlignment.Right, 100);
  private state: State = State.Starting;
  private server: StatusParams = { level: 'ok', reasons: [] };

  constructor() {
    this.item.name = 'Armadilha';
    this.item.command = 'armadilha.showOutput';
    this.render();
    this.item.show();
  }

  clientState(state: State): void {
    this.state = state;
    if (state !== State.Running) this.server = { level: 'ok', reasons: [] };
    this.render();
  }

  serverStatus(status: StatusParams): void {
    this.server = { level: status.level, reasons: Array.isArray(status.reasons) ? status.reasons : [] };
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    const running = this.state === State.Running;
    const starting = this.state === State.Starting;
    const level = running ? this.server.level : 'ok';
    let summary: string;
    if (!running && !starting) summary = vscode.l10n.t('Armadilha stopped. Click to show its output, or run "Armadilha: Restart Server".');
    else if (starting) summary = vscode.l10n.t('Armadilha is starting…');
    else if (level === 'ok') summary = vscode.l10n.t('Armadilha is running. Click to show its output.');
    else summary = vscode.l10n.t('Armadilha needs attention. Click to show its output.');
    this.item.text =
      !running && !starting
        ? '$(error) Armadilha'
        : starting
          ? '$(loading~spin) Armadilha'
          : level === 'ok'
            ? '$(shield) Armadilha'
            : level === 'warning'
              ? '$(warning) Armadilha'
              : '$(error) Armadilha';
    const tooltip = new vscode.MarkdownString(escapeMarkdown(summary));
    for (const reason of level === 'ok' ? [] : this.server.reasons) tooltip.appendMarkdown(`\n\n• ${escapeMarkdown(reason)}`);
    this.item.tooltip = tooltip;
    this.item.backgroundColor =
      !running && !starting
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : level === 'error'
          ? new vscode.ThemeColor('statusBarItem.errorBackground')
          : level === 'warning'
            ? new vscode.ThemeColor('statusBarItem.warningBackground')
            : undefined;
    // Screen readers would otherwise read the icon name ("shield Armadilha").
    this.item.accessibilityInformation = { label: `Armadilha: ${[summary, ...(level === 'ok' ? [] : this.server.reasons)].join(' ')}`, role: 'button' };
  }
}
