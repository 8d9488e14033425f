// Which files `armadilha check` reads: given files as they are, folders walked (honouring .gitignore
// files and skipping node_modules and .git), globs expanded. Vendored and build-output folders are not
// entered unless analyseGeneratedCode is set. Nothing is dropped in silence: a path that does not
// exist, a pattern that matches nothing and a folder that cannot be listed are problems, and the run
// exits with 2 (CI must not pass while files go unread).

import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { generatedFolder, generatedPath } from '../core/generated-code';
import { languageOfPath } from '../core/lint';
import { expandGlob, GlobError, hasGlobSyntax } from './glob';

export interface InputFile {
  /** Absolute path. */
  absolute: string;
  /** As shown in reports: as given on the command line, or relative to the current folder. */
  display: string;
  /** Named on the command line (not found in a folder or by a glob). */
  explicit?: boolean;
  /** Its stat when collecting it took one (a file named on the command line), for the result cache. */
  stat?: fs.Stats;
}

export type InputProblemKind = 'missing' | 'unmatched' | 'unreadable' | 'not-regular' | 'unsupported' | 'bad-pattern';

export interface InputProblem {
  kind: InputProblemKind;
  /** The path or pattern, as given or relative to the current folder. */
  path: string;
  detail?: string;
}

export interface CollectedFiles {
  files: InputFile[];
  problems: InputProblem[];
  /** Vendored and build-output folders and files left out, relative to the current folder. */
  excluded: string[];
}

export interface CollectOptions {
  /** Also collect vendored and generated code: for every path, or per file or folder (its nearest configuration). */
  analyseGeneratedCode?: boolean | ((absolute: string, folder: boolean) => boolean);
  /** Called with every folder about to be listed (for replaying a run). */
  onFolder?: (folder: string) => void;
  /**
   * Called with every folder above a listed one whose .gitignore is read. Only the files looked for
   * there matter to a replay, not the names the folder holds: other tools create and delete folders
   * beside a repository (in /tmp, in a home folder) all the time.
   */
  onAncestor?: (folder: string) => void;
}

const ALWAYS_SKIPPED = new Set(['node_modules', '.git']);

export function collectFiles(patterns: string[], cwd: string, options: CollectOptions = {}): CollectedFiles {
  const files = new Map<string, InputFile>();
  const result: CollectedFiles = { files: [], problems: [], excluded: [] };
  const relative = (absolute: string) => toSlashes(path.relative(cwd, absolute) || path.basename(absolute));
  const analyseGenerated = (absolute: string, folder: boolean) =>
    typeof options.analyseGeneratedCode === 'function' ? options.analyseGeneratedCode(absolute, folder) : !!options.analyseGeneratedCode;
  const excluded = (absolute: string, folder = false) =>
    !!(folder ? generatedFolder(relative(absolute)) : generatedPath(relative(absolute))) && !analyseGenerated(absolute, folder);
  const add = (absolute: string, display: string, explicit = false, stat?: fs.Stats) => {
    if (!files.has(absolute)) files.set(absolute, { absolute, display: toSlashes(display), explicit, stat });
  };
  for (const pattern of patterns.length ? patterns : ['.']) {
    const before = files.size + result.excluded.length;
    const problemsBefore = result.problems.length;
    const absolute = path.resolve(cwd, pattern);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(absolute);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        result.problems.push({ kind: 'unreadable', path: pattern, detail: describeError(error) });
        continue;
      }
    }
    if (stat?.isDirectory()) {
      walk(absolute, gitignoresAbove(absolute, options.onAncestor), {
        cwd,
        excluded,
        result,
        found: (file) => add(file, relative(file)),
        onFolder: options.onFolder,
      });
    } else if (stat) {
      if (!stat.isFile()) result.problems.push({ kind: 'not-regular', path: pattern });
      else if (!languageOfPath(absolute)) result.problems.push({ kind: 'unsupported', path: pattern });
      else add(absolute, pattern, true, stat);
      continue;
    } else if (!hasGlobSyntax(pattern)) {
      result.problems.push({ kind: 'missing', path: pattern });
      continue;
    } else {
      let matches;
      try {
        matches = expandGlob(pattern, cwd, options.onFolder);
      } catch (error) {
        if (!(error instanceof GlobError)) throw error;
        result.problems.push({ kind: 'bad-pattern', path: pattern, detail: error.message });
        continue;
      }
      for (const folder of matches.unreadable) result.problems.push({ kind: 'unreadable', path: relative(folder.path), detail: describeError(folder.error) });
      for (const match of matches.matches) {
        if (!languageOfPath(match)) continue;
        if (excluded(match)) result.excluded.push(relative(match));
        else add(match, relative(match));
      }
    }
    if (files.size + result.excluded.length === before && result.problems.length === problemsBefore) result.problems.push({ kind: 'unmatched', path: pattern });
  }
  result.files = [...files.values()];
  return result;
}

/** The message of a file-system error without the stack: "permission denied" for EACCES. */
export function describeError(error: unknown): string {
  const failure = error as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ELOOP: 'too many levels of symbolic links',
    EISDIR: 'is a folder',
    EIO: 'input/output error',
  };
  return (failure.code && known[failure.code]) ?? failure.code ?? String(failure.message ?? error);
}

interface WalkContext {
  onFolder?: (folder: string) => void;
  cwd: string;
  excluded: (absolute: string, folder?: boolean) => boolean;
  result: CollectedFiles;
  found: (file: string) => void;
}

interface IgnoreScope {
  directory: string;
  rules: Ignore;
}

// .gitignore files of the enclosing folders up to the repository root, so that `check src` honours them too.
function gitignoresAbove(directory: string, onAncestor?: (folder: string) => void): IgnoreScope[] {
  const scopes: IgnoreScope[] = [];
  for (let current = path.dirname(directory); ; current = path.dirname(current)) {
    onAncestor?.(current);
    const scope = readGitignore(current);
    if (scope) scopes.unshift(scope);
    if (fs.existsSync(path.join(current, '.git')) || path.dirname(current) === current) break;
  }
  return scopes;
}

function walk(directory: string, scopes: IgnoreScope[], context: WalkContext): void {
  context.onFolder?.(directory);
  const own = readGitignore(directory);
  const active = own ? [...scopes, own] : scopes;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    context.result.problems.push({ kind: 'unreadable', path: toSlashes(path.relative(context.cwd, directory) || '.'), detail: describeError(error) });
    return;
  }
  entries.sort((left, right) => left.name.localeCompare(right.name));
  for (const entry of entries) {
    if (ALWAYS_SKIPPED.has(entry.name)) continue;
    const file = path.join(directory, entry.name);
    if (isIgnored(file, entry.isDirectory(), active)) continue;
    if (entry.isDirectory()) {
      // A vendored or build-output folder is left out whole, without reading it.
      if (context.excluded(file, true)) context.result.excluded.push(`${toSlashes(path.relative(context.cwd, file))}/`);
      else walk(file, active, context);
    } else if (entry.isFile() && languageOfPath(entry.name)) {
      if (context.excluded(file)) context.result.excluded.push(toSlashes(path.relative(context.cwd, file)));
      else context.found(file);
    }
  }
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

function toSlashes(file: string): string {
  return file.split(path.sep).join('/');
}
