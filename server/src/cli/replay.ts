// Replaying a whole `check --cache` run. When the same command runs again in the same folder and
// nothing it read has changed, its output is the previous run's, and the launcher (cli-launcher.ts)
// prints that without loading the analysis at all. What a run read is recorded: every file it read, by
// stat (as the result cache does for single files); every folder it listed, by the names in it that
// a run looks at (folders, SQL/TypeScript/JavaScript files, and the files below); and in those folders
// and every folder above them and above the current folder, the files a run looks for (the
// configuration, the baseline, .gitignore, .git), by stat or absence. Replayed only: runs over SQL files alone (a TypeScript file's results
// also depend on the modules it imports, which only the analysis knows), without --fix, --stdin,
// --changed, --staged or a baseline update, that exited 0 or 1, by the same build of Armadilha, Node.js,
// environment (locale, NO_COLOR) and terminal. This module is bundled into the launcher: it imports
// nothing but fs and path.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isatty } from 'node:tty';

export const DEFAULT_CACHE_NAME = '.armadilha-cache';
const FORMAT = 1;

/** Files looked for in every folder a run depends on. */
const LOOKED_FOR = ['.gitignore', '.git', 'armadilha.config.json', 'armadilha-baseline.json'];
/** File names `check` analyses (lint.ts languageOfPath; a superset here is safe). */
const ANALYSABLE = /\.(sql|[cm]?[jt]sx?)$/i;

/** Options after which a run is not replayed (it writes, or depends on more than the files it reads). */
const NOT_REPLAYED = new Set(['--fix', '--stdin', '--changed', '--staged', '--update-baseline', '--prune-baseline', '--help', '-h']);

interface RunRecord {
  format: number;
  key: string;
  /** Path → stat stamp when the run read it (null: it did not exist). */
  stamps: Record<string, string | null>;
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The cache file for a --cache-location: the path itself, or .armadilha-cache inside it when it is a folder. */
export function cacheFilePath(location: string, cwd: string): string {
  const absolute = path.resolve(cwd, location);
  const isFolder = /[\\/]$/.test(location) || (fs.existsSync(absolute) && fs.statSync(absolute).isDirectory());
  return isFolder ? path.join(absolute, DEFAULT_CACHE_NAME) : absolute;
}

/**
 * What identifies a file's or folder's contents without reading them: size, modification and change
 * times, inode. Undefined for one modified in the last two seconds, whose next change could keep the
 * same times on a file system with coarse timestamps (git calls such entries racy).
 */
export function statStamp(stat: fs.Stats, now = Date.now()): string | undefined {
  if (now - stat.mtimeMs < 2000 || now - stat.ctimeMs < 2000) return undefined;
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}:${stat.dev}`;
}

/** The stamp of a path now: null when it does not exist, undefined when it is racy. */
export function stampOf(file: string): string | null | undefined {
  try {
    return statStamp(fs.statSync(file)) ?? undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? null : undefined;
  }
}

/** Everything a run's output depends on besides the files it reads. */
export function runKey(argv: string[], bundle: string, launcher: string): string {
  // A build replaces the bundle: its size, time and inode identify it, however recent.
  const stampOrNone = (file: string) => {
    try {
      const stat = fs.statSync(file);
      return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      return 'none';
    }
  };
  const env = ['LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR'].map((name) => process.env[name] ?? null);
  // isatty, not process.stdout.isTTY: the launcher does not create the stdout stream for a replay.
  return JSON.stringify([argv, process.cwd(), env, isatty(1), process.version, stampOrNone(bundle), stampOrNone(launcher)]);
}

/** The cache file a `check` command line uses, when it may be replayed. */
export function replayFile(argv: string[]): string | undefined {
  if (argv[0] !== 'check' || argv.some((argument) => NOT_REPLAYED.has(argument.split('=')[0]))) return undefined;
  let cache = false;
  let location = DEFAULT_CACHE_NAME;
  for (let index = 1; index < argv.length; index++) {
    const [flag, inline] = argv[index].split(/=(.*)/s);
    if (flag === '--cache') cache = true;
    else if (flag === '--cache-location') {
      cache = true;
      location = inline ?? argv[++index] ?? location;
    }
  }
  return cache ? `${cacheFilePath(location, process.cwd())}.run` : undefined;
}

/** Prints the recorded output of the same run when nothing it read changed; false when it must run. */
export function tryReplay(argv: string[], bundle: string, launcher: string): boolean {
  const file = replayFile(argv);
  if (!file) return false;
  let record: RunRecord;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
  } catch {
    return false;
  }
  if (record.format !== FORMAT || record.key !== runKey(argv, bundle, launcher)) return false;
  for (const [input, stamp] of Object.entries(record.stamps)) if (currentStamp(input) !== stamp) return false;
  writeAll(1, record.stdout);
  writeAll(2, record.stderr);
  process.exitCode = record.exitCode;
  return true;
}

// Written to the descriptor directly: creating process.stdout loads the stream modules, a tenth of a
// replay. A reader that went away (EPIPE) ends the output quietly, as `check` does.
function writeAll(descriptor: number, text: string): void {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += fs.writeSync(descriptor, bytes, offset);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a non-blocking pipe is full: wait for the reader
    }
  }
}

/** What a run read, gathered while it reads. */
export class RunInputs {
  /** Path → stamp (null: absent), or for a listed folder `folder/` → its names (null: unreadable). */
  readonly stamps: Record<string, string | null> = {};
  /** False once something was read whose stamp is racy. */
  replayable = true;

  /** A file read, with its stamp taken before reading it. */
  file(file: string, stamp: string | null | undefined): void {
    if (stamp === undefined) this.replayable = false;
    else this.stamps[file] = stamp;
  }

  /** A folder about to be listed: the names in it that matter, and the files looked for in it. */
  folder(folder: string): void {
    const key = `${folder}${path.sep}`;
    if (key in this.stamps) return;
    this.stamps[key] = namesIn(folder);
    this.lookedFor(folder);
  }

  /** The files looked for in a folder and in every folder above it (a file's configuration is the nearest above it). */
  folderAndAbove(folder: string): void {
    for (let current = path.resolve(folder); !this.above.has(current); current = path.dirname(current)) {
      this.above.add(current);
      this.lookedFor(current);
      if (path.dirname(current) === current) return;
    }
  }

  private readonly above = new Set<string>();

  private lookedFor(folder: string): void {
    for (const name of LOOKED_FOR) {
      const file = path.join(folder, name);
      if (!(file in this.stamps)) this.file(file, lookedForStamp(file));
    }
  }
}

/** What a listed folder holds that a run looks at: folders and analysable files, by name and kind. */
function namesIn(folder: string): string | null {
  try {
    return fs
      .readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || (ANALYSABLE.test(entry.name) && !/\.d\.ts$/i.test(entry.name)) || LOOKED_FOR.includes(entry.name))
      .map((entry) => `${entry.name}${entry.isDirectory() ? '/' : entry.isFile() ? '' : '@'}`)
      .sort()
      .join('\0');
  } catch {
    return null;
  }
}

/** The current stamp of what a record names: a folder's names, or a file's stamp. */
function currentStamp(key: string): string | null | undefined {
  return key.endsWith(path.sep) ? namesIn(key.slice(0, -1)) : lookedForStamp(key);
}

// Of .git only its presence counts (where the repository starts): git changes the folder itself all the time.
function lookedForStamp(file: string): string | null | undefined {
  return path.basename(file) === '.git' ? (fs.existsSync(file) ? 'present' : null) : stampOf(file);
}

/** Records a finished run for replay. */
export function saveRun(file: string, key: string, inputs: RunInputs, output: { stdout: string; stderr: string; exitCode: number }): void {
  const record: RunRecord = { format: FORMAT, key, stamps: inputs.stamps, ...output };
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(record));
  fs.renameSync(temporary, file);
}
