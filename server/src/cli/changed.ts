// Which files changed, from git, for `check --changed [<ref>]` and `check --staged`. --changed: files
// that differ between the working tree and the point where the current branch left <ref> (their
// merge base; <ref> itself when there is none, as in a shallow CI checkout), plus untracked files not
// ignored; without <ref>, against HEAD (what is not committed yet). --staged: files whose staged
// content differs from HEAD. Deleted files are not listed: there is nothing to analyse.

import type * as ChildProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type ChangedMode = { kind: 'changed'; ref?: string } | { kind: 'staged' };

export type ChangedFiles = { files: Set<string> } | { error: string };

/** The changed files as real absolute paths (symbolic links in the folders resolved). */
export function changedFiles(cwd: string, mode: ChangedMode): ChangedFiles {
  const top = git(cwd, ['rev-parse', '--show-toplevel']);
  if (top.status !== 0) return { error: `not a git repository (${firstLine(top.stderr) || 'git rev-parse failed'})` };
  const root = realpath(top.stdout.trim());
  const names: string[] = [];
  const list = (args: string[]): string | undefined => {
    const result = git(root, args);
    if (result.status !== 0) return firstLine(result.stderr) || `git ${args[0]} failed`;
    names.push(...result.stdout.split('\0').filter(Boolean));
    return undefined;
  };
  const hasHead = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).status === 0;
  let problem: string | undefined;
  if (mode.kind === 'staged') {
    problem = list(['diff', '--cached', '--name-only', '--no-relative', '-z', '--no-renames', '--diff-filter=d', ...(hasHead ? ['HEAD'] : [])]);
  } else {
    const ref = mode.ref ?? 'HEAD';
    if (!hasHead && ref === 'HEAD') {
      // No commit yet: every file is new.
      problem = list(['ls-files', '-z', '--full-name', '--cached', '--others', '--exclude-standard']);
    } else {
      if (git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).status !== 0)
        return { error: `${ref} is not a commit this repository knows (fetch it first?)` };
      const base = git(root, ['merge-base', ref, 'HEAD']);
      const against = base.status === 0 ? base.stdout.trim() : ref;
      problem =
        list(['diff', '--name-only', '--no-relative', '-z', '--no-renames', '--diff-filter=d', against, '--']) ??
        list(['ls-files', '-z', '--full-name', '--others', '--exclude-standard']);
    }
  }
  if (problem) return { error: problem };
  return { files: new Set(names.map((name) => path.join(root, name))) };
}

/** True when `candidate` names a commit (a branch, a tag, a SHA) in the repository around `cwd`. */
export function isCommit(cwd: string, candidate: string): boolean {
  return git(cwd, ['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).status === 0;
}

/**
 * The key `changedFiles` uses for a path: its folder's real path (so that /tmp and /private/tmp, or a
 * linked checkout, compare equal), and its own name.
 */
export function changedKey(absolute: string, realFolders: Map<string, string>): string {
  const folder = path.dirname(absolute);
  let real = realFolders.get(folder);
  if (real === undefined) {
    real = realpath(folder);
    realFolders.set(folder, real);
  }
  return path.join(real, path.basename(absolute));
}

function git(cwd: string, args: string[]) {
  // Required here: child_process is not loaded by runs that do not ask git.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, see above
  const { spawnSync } = require('node:child_process') as typeof ChildProcess;
  const result = spawnSync('git', ['-c', 'core.quotepath=off', ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) return { status: 1, stdout: '', stderr: `git cannot be run: ${result.error.message}` };
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
