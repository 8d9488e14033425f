// Which files `armadilha check` reads: given files as they are, folders walked (honouring .gitignore
// files and skipping node_modules and .git), globs expanded.

import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { globSync } from 'tinyglobby';
import { languageOfPath } from '../lint';

export interface InputFile {
  /** Absolute path. */
  absolute: string;
  /** As shown in reports: as given on the command line, or relative to the current folder. */
  display: string;
}

const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);

export class MissingPathError extends Error {}

export function collectFiles(patterns: string[], cwd: string): InputFile[] {
  const files = new Map<string, InputFile>();
  const add = (absolute: string, display: string) => {
    if (!files.has(absolute)) files.set(absolute, { absolute, display: display.split(path.sep).join('/') });
  };
  for (const pattern of patterns.length ? patterns : ['.']) {
    const absolute = path.resolve(cwd, pattern);
    if (fs.existsSync(absolute)) {
      const stat = fs.statSync(absolute);
      if (stat.isDirectory()) {
        for (const file of walk(absolute, gitignoresAbove(absolute))) add(file, path.relative(cwd, file) || path.basename(file));
      } else add(absolute, pattern);
      continue;
    }
    if (!/[*?[\]{}]/.test(pattern)) throw new MissingPathError(pattern);
    const matches = globSync(pattern, { cwd, absolute: true, ignore: ['**/node_modules/**', '**/.git/**'], dot: false });
    for (const match of matches.sort()) if (languageOfPath(match)) add(path.resolve(match), path.relative(cwd, match));
  }
  return [...files.values()];
}

interface IgnoreScope {
  directory: string;
  rules: Ignore;
}

// .gitignore files of the enclosing folders up to the repository root, so that `check src` honours them too.
function gitignoresAbove(directory: string): IgnoreScope[] {
  const scopes: IgnoreScope[] = [];
  for (let current = path.dirname(directory); ; current = path.dirname(current)) {
    const scope = readGitignore(current);
    if (scope) scopes.unshift(scope);
    if (fs.existsSync(path.join(current, '.git')) || path.dirname(current) === current) break;
  }
  return scopes;
}

function walk(directory: string, scopes: IgnoreScope[], found: string[] = []): string[] {
  const own = readGitignore(directory);
  const active = own ? [...scopes, own] : scopes;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch {
    return found;
  }
  entries.sort((left, right) => left.name.localeCompare(right.name));
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const file = path.join(directory, entry.name);
    if (isIgnored(file, entry.isDirectory(), active)) continue;
    if (entry.isDirectory()) walk(file, active, found);
    else if (entry.isFile() && languageOfPath(entry.name)) found.push(file);
  }
  return found;
}

function isIgnored(file: string, isDirectory: boolean, scopes: IgnoreScope[]): boolean {
  return scopes.some((scope) => {
    const relative = path.relative(scope.directory, file).split(path.sep).join('/');
    return relative && !relative.startsWith('..') && scope.rules.ignores(isDirectory ? `${relative}/` : relative);
  });
}

function readGitignore(directory: string): IgnoreScope | undefined {
  try {
    const text = fs.readFileSync(path.join(directory, '.gitignore'), 'utf8');
    return { directory, rules: ignore().add(text) };
  } catch {
    return undefined;
  }
}
