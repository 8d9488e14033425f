// The task "armadilha: check": `armadilha check` on a workspace folder, run by the bundled server
// (dist/server.js check …, the same analysis and configuration as the CLI in CI), its findings shown
// in the terminal one per line in the form the $armadilha problem matcher reads, so that the Problems
// panel lists every finding of the folder, open files or not. Messages are in the chosen language;
// the severity word stays English for the matcher.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { chosenLocale } from './documentation';
import { findingLine, type JsonFinding } from './task-lines';

export const TASK_TYPE = 'armadilha';

interface CheckDefinition extends vscode.TaskDefinition {
  command: 'check';
  /** Paths or globs relative to the folder; default: the whole folder. */
  paths?: string[];
}

export class CheckTaskProvider implements vscode.TaskProvider {
  constructor(private readonly extension: vscode.ExtensionContext) {}

  provideTasks(): vscode.Task[] {
    return (vscode.workspace.workspaceFolders ?? []).map((folder) => this.task({ type: TASK_TYPE, command: 'check' }, folder));
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const definition = task.definition as CheckDefinition;
    if (definition.command !== 'check' || typeof task.scope !== 'object') return undefined;
    return this.task(definition, task.scope);
  }

  private task(definition: CheckDefinition, folder: vscode.WorkspaceFolder): vscode.Task {
    const execution = new vscode.CustomExecution(() =>
      Promise.resolve(new CheckTerminal(this.extension.asAbsolutePath(path.join('dist', 'server.js')), folder.uri.fsPath, definition.paths ?? [])),
    );
    const task = new vscode.Task(definition, folder, 'check', TASK_TYPE, execution, '$armadilha');
    task.group = vscode.TaskGroup.Build;
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true };
    return task;
  }
}

class CheckTerminal implements vscode.Pseudoterminal {
  private readonly written = new vscode.EventEmitter<string>();
  private readonly closed = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.written.event;
  readonly onDidClose = this.closed.event;
  private child: ReturnType<typeof spawn> | undefined;

  constructor(
    private readonly server: string,
    private readonly folder: string,
    private readonly paths: string[],
  ) {}

  open(): void {
    const args = [this.server, 'check', ...this.paths, '--format', 'json', '--fail-on', 'none', '--locale', chosenLocale()];
    this.write(`armadilha check ${this.paths.join(' ') || '.'}  (${this.folder})`);
    // The editor's own Node.js runs the bundled server in its CLI mode (Electron needs ELECTRON_RUN_AS_NODE).
    const child = spawn(process.execPath, args, { cwd: this.folder, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    this.child = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      this.write(String(error));
      this.closed.fire(2);
    });
    child.on('close', (code) => {
      let findings: JsonFinding[] = [];
      try {
        findings = stdout.trim() ? (JSON.parse(stdout) as { findings: JsonFinding[] }).findings : [];
      } catch {
        this.write(stdout);
      }
      for (const finding of findings) this.write(findingLine(finding));
      for (const line of stderr.split('\n').filter(Boolean)) this.write(line);
      this.write(vscode.l10n.t('{0} finding(s).', findings.length));
      this.closed.fire(code ?? 2);
    });
  }

  close(): void {
    this.child?.kill();
  }

  private write(line: string): void {
    this.written.fire(`${line}\r\n`);
  }
}
