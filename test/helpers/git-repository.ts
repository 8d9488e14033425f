// Throwaway git repositories for the CLI's --changed/--staged tests and the CI integrations.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Runs git in `cwd`, asserts it succeeded, and returns its output without the trailing newline. */
export function git(cwd: string, ...args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8' });
  assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

export function writeFiles(folder: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    writeFileSync(path.join(folder, name), text);
  }
}

/** Makes `folder` a git repository with these files committed on branch main. */
export function commitRepository(folder: string, files: Record<string, string>): string {
  mkdirSync(folder, { recursive: true });
  git(folder, 'init', '-q', '-b', 'main');
  git(folder, 'config', 'user.name', 'Armadilha Test');
  git(folder, 'config', 'user.email', 'test@armadilha.invalid');
  git(folder, 'config', 'commit.gpgsign', 'false');
  writeFiles(folder, files);
  git(folder, 'add', '-A');
  git(folder, 'commit', '-q', '-m', 'initial');
  return folder;
}
