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

// Named imports: esbuild copies every export of a namespace import (`import * as fs`) at startup.
import { existsSync, fstatSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

export const DEFAULT_CACHE_NAME = '.armadilha-cache';
const FORMAT = 2;

/** Files looked for in every folder a run depends on. */
const LOOKED_FOR = ['.gitignore', '.git', 'armadilha.config.json', 'armadilha-baseline.json'];
/** File names `check` analyses (lint.ts languageOfPath; a superset here is safe). */
const ANALYSABLE = /\.(sql|[cm]?[jt]sx?)$/i;

/** Options after which a run is not replayed (it writes, or depends on more than the files it reads). */
const NOT_REPLAYED = new Set(['--fix', '--stdin', '--changed', '--staged', '--update-baseline', '--prune-baseline', '--help', '-h']);

/**
 * The record of a run, written as one line of JSON (this header) followed by the run's standard output
 * and standard error as raw bytes. A replay decodes only the header and copies the output bytes: a
 * record holding the output as a JSON string took a fifth of a replay to parse.
 */
interface RunHeader {
  format: number;
  key: string;
  /** What the run read, each as [path, stamp]: see RecordedStamp. */
  inputs: [string, RecordedStamp][];
  exitCode: number;
  stdoutBytes: number;
  stderrBytes: number;
}

/**
 * A file's stat stamp as its numbers [size, mtimeMs, ctimeMs, ino, dev] (compared as numbers, not
 * formatted again: formatting 400 stamps cost a replay as much as the stats themselves); null when it
 * was absent; a string for the rest ('present' for .git, a listed folder's names).
 */
type RecordedStamp = number[] | string | null;

/** The cache file for a --cache-location: the path itself, or .armadilha-cache inside it when it is a folder. */
export function cacheFilePath(location: string, cwd: string): string {
  const absolute = resolve(cwd, location);
  const isFolder = /[\\/]$/.test(location) || (existsSync(absolute) && statSync(absolute).isDirectory());
  return isFolder ? join(absolute, DEFAULT_CACHE_NAME) : absolute;
}

/**
 * What identifies a file's or folder's contents without reading them: size, modification and change
 * times, inode. Undefined for one modified in the last two seconds, whose next change could keep the
 * same times on a file system with coarse timestamps (git calls such entries racy).
 */
export function statStamp(stat: Stats, now = Date.now()): string | undefined {
  if (now - stat.mtimeMs < 2000 || now - stat.ctimeMs < 2000) return undefined;
  return `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}:${stat.dev}`;
}

/** The stamp of a path now: null when it does not exist, undefined when it is racy. */
export function stampOf(file: string): string | null | undefined {
  try {
    // throwIfNoEntry: most looked-for files are absent, and an exception per absent file was a tenth of a replay.
    const stat = statSync(file, { throwIfNoEntry: false });
    return stat ? (statStamp(stat) ?? undefined) : null;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? null : undefined;
  }
}

/**
 * Whether standard output is a terminal (it decides colours). node:tty is loaded only when it may be
 * one: loading it also loads the stream and network modules, a tenth of a replay, and output to a
 * file or a pipe (CI, the benchmark) is never a terminal.
 */
function outputIsTerminal(): boolean {
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when it may be a terminal, see above
  return (require('node:tty') as typeof import('node:tty')).isatty(1);
}

/** Everything a run's output depends on besides the files it reads. */
export function runKey(argv: string[], bundle: string, launcher: string): string {
  // A build replaces the bundle: its size, time and inode identify it, however recent.
  const stampOrNone = (file: string) => {
    try {
      const stat = statSync(file);
      return `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    } catch {
      return 'none';
    }
  };
  const env = ['LANG', 'LC_ALL', 'LC_MESSAGES', 'NO_COLOR'].map((name) => process.env[name] ?? null);
  // Not process.stdout.isTTY: the launcher does not create the stdout stream for a replay.
  return JSON.stringify([argv, process.cwd(), env, outputIsTerminal(), process.version, stampOrNone(bundle), stampOrNone(launcher)]);
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
  const record = readRun(file);
  if (!record || record.header.key !== runKey(argv, bundle, launcher)) return false;
  const now = Date.now();
  for (const [input, stamp] of record.header.inputs) if (!unchanged(input, stamp, now)) return false;
  writeAll(1, record.stdout);
  writeAll(2, record.stderr);
  process.exitCode = record.header.exitCode;
  return true;
}

/** A run record: its header and its output bytes; undefined when absent, unreadable or of another format. */
export function readRun(file: string): { header: RunHeader; stdout: Buffer; stderr: Buffer } | undefined {
  try {
    const bytes = readFileSync(file);
    const newline = bytes.indexOf(10);
    const header = JSON.parse(bytes.toString('utf8', 0, newline)) as RunHeader;
    if (header.format !== FORMAT) return undefined;
    const stdoutEnd = newline + 1 + header.stdoutBytes;
    return { header, stdout: bytes.subarray(newline + 1, stdoutEnd), stderr: bytes.subarray(stdoutEnd, stdoutEnd + header.stderrBytes) };
  } catch {
    return undefined;
  }
}

/** Writes a run record (through a temporary file, so that a reader never sees half of one). */
export function writeRun(
  file: string,
  header: Omit<RunHeader, 'format' | 'stdoutBytes' | 'stderrBytes'>,
  stdout: string | Buffer,
  stderr: string | Buffer,
): void {
  const out = Buffer.from(stdout);
  const err = Buffer.from(stderr);
  const line = JSON.stringify({ format: FORMAT, ...header, stdoutBytes: out.length, stderrBytes: err.length } satisfies RunHeader);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.concat([Buffer.from(`${line}\n`), out, err]));
  renameSync(temporary, file);
}

/** Whether what a record says of a path holds now. */
function unchanged(input: string, stamp: RecordedStamp, now: number): boolean {
  if (!Array.isArray(stamp)) return currentStamp(input) === stamp;
  let stat: Stats | undefined;
  try {
    stat = statSync(input, { throwIfNoEntry: false });
  } catch {
    return false;
  }
  // A stat taken now that is racy (see statStamp) was never recorded, so it cannot match.
  if (!stat || now - stat.mtimeMs < 2000 || now - stat.ctimeMs < 2000) return false;
  return stat.size === stamp[0] && stat.mtimeMs === stamp[1] && stat.ctimeMs === stamp[2] && stat.ino === stamp[3] && stat.dev === stamp[4];
}

// Written to the descriptor directly: creating process.stdout loads the stream modules, a tenth of a
// replay. A reader that went away (EPIPE) ends the output quietly, as `check` does.
function writeAll(descriptor: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length;) {
    try {
      offset += writeSync(descriptor, bytes, offset);
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
    const key = `${folder}${sep}`;
    if (key in this.stamps) return;
    this.stamps[key] = namesIn(folder);
    this.lookedFor(folder);
  }

  /** The files looked for in a folder and in every folder above it (a file's configuration is the nearest above it). */
  folderAndAbove(folder: string): void {
    for (let current = resolve(folder); !this.above.has(current); current = dirname(current)) {
      this.above.add(current);
      this.lookedFor(current);
      if (dirname(current) === current) return;
    }
  }

  private readonly above = new Set<string>();

  private lookedFor(folder: string): void {
    for (const name of LOOKED_FOR) {
      const file = join(folder, name);
      if (!(file in this.stamps)) this.file(file, lookedForStamp(file));
    }
  }
}

/** What a listed folder holds that a run looks at: folders and analysable files, by name and kind. */
function namesIn(folder: string): string | null {
  try {
    return readdirSync(folder, { withFileTypes: true })
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
  return key.endsWith(sep) ? namesIn(key.slice(0, -1)) : lookedForStamp(key);
}

// Of .git only its presence counts (where the repository starts): git changes the folder itself all the time.
function lookedForStamp(file: string): string | null | undefined {
  if (basename(file) !== '.git') return stampOf(file);
  try {
    return statSync(file, { throwIfNoEntry: false }) ? 'present' : null;
  } catch {
    return null;
  }
}

/** Records a finished run for replay. */
export function saveRun(file: string, key: string, inputs: RunInputs, output: { stdout: string; stderr: string; exitCode: number }): void {
  const recorded = Object.entries(inputs.stamps).map(([input, stamp]): [string, RecordedStamp] => [input, asRecorded(input, stamp)]);
  writeRun(file, { key, inputs: recorded, exitCode: output.exitCode }, output.stdout, output.stderr);
}

/** A stamp as recorded: a file's stat stamp as its numbers (statStamp's string is their shortest round-trip form). */
function asRecorded(input: string, stamp: string | null): RecordedStamp {
  if (stamp === null || input.endsWith(sep) || basename(input) === '.git') return stamp;
  return stamp.split(':').map(Number);
}
