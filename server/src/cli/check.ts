// `armadilha check`: reads the files, builds the schema model from every .sql file given, analyses
// each file, and with --fix applies safe fixes in place. Reading: only regular files, their size
// checked before reading (a FIFO or /dev/zero never hangs a run), non-UTF-8 text read as Latin-1 and
// said so. Writing: only files that did not change on disk meanwhile, never a read-only file, never
// through a link leading out of the workspace, and keeping owner, mode and hard links.

import { isUtf8 } from 'node:buffer';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sqlDialectFor, type Settings, type SqlDialectSetting } from '../core/config';
import type { ProjectContext } from '../project/context';
import { generatedCode, generatedPath } from '../core/generated-code';
import { languageOfPath, lint, type Coverage, type DocumentLanguage, type Finding, type SkipReason } from '../core/lint';
import { generatedReason, skippedFileFinding, type SkipKind } from '../core/skips';
import { coreText, type Locale } from '../core/locale';
import { applyEdits, mergeFixes } from '../core/fixes';
import { DocumentCache } from '../core/document-cache';
import { schemaFactsOfScript, type SchemaFact } from '../schema/facts';
import type { SchemaModel } from '../schema/model';
import { WorkspaceSchema } from '../schema/workspace';
import { describeError, type InputFile, type InputProblem } from './files';
import type { FileReport } from './formats';

const MAX_FIX_ROUNDS = 5;

export interface CheckResult {
  reports: FileReport[];
  fixesApplied: number;
  filesFixed: number;
  /** Files that could not be read: the run exits with 2. */
  problems: InputProblem[];
  /** Files found by a folder walk or a glob that are generated (by their header) or minified, left out. */
  excluded: string[];
  /** What the user should know about files that were analysed (an encoding guessed, a fix not written), localised. */
  notes: string[];
}

export interface CheckOptions {
  /** Where links may lead for --fix to write through them, and what vendored folders are relative to. Default: the current folder. */
  cwd?: string;
  /** The folder sql.dialect globs are relative to (the configuration file's). Default: cwd. */
  base?: string;
  /** The project around the files (dependencies' SQL dialect, clients exported by modules). */
  project?: ProjectContext;
  /**
   * Each file's settings and the folder its sql.dialect globs are relative to: the nearest
   * armadilha.config.json per file, as the editor finds it. Default: `settings` and `base` for all.
   */
  settingsFor?: (file: InputFile) => { settings: Settings; base: string };
}

export interface LoadedFile {
  file: InputFile;
  /** Undefined when the file was not read or is not text (see skipped). */
  text: string | undefined;
  raw: Buffer;
  encoding: TextEncoding;
  language: DocumentLanguage;
  /** Why the file is not analysed, when that is known before analysing it. */
  skipped?: { reason: string; kind: SkipKind; code: SkipReason };
}

/** How a file's bytes encode its text; --fix writes the text back the same way. */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be' | 'latin1';

/**
 * What a .sql file says about the schema, read cheaply (only CREATE/ALTER/DROP/… statements are
 * parsed). The split is kept in the file's cache for the analysis that follows.
 */
export function factsOf(entry: LoadedFile, settings: Settings, cache: DocumentCache, options: CheckOptions = {}): SchemaFact[] | undefined {
  if (entry.language !== 'sql' || entry.text === undefined || entry.skipped || tooLarge(entry.text, settings)) return undefined;
  return schemaFactsOfScript(entry.text, cache.sql.split(entry.text, true), dialectOf(entry, settings, options));
}

/** What sql.dialect says a .sql file is, its globs relative to the configuration's folder. */
export function dialectOf(entry: LoadedFile, settings: Settings, options: CheckOptions): SqlDialectSetting | undefined {
  return entry.language === 'sql' ? sqlDialectFor(settings, path.relative(options.base ?? options.cwd ?? process.cwd(), entry.file.absolute)) : undefined;
}

/** The report of a file that was not analysed: its one skipped-file finding. */
function skippedReport(entry: LoadedFile, display: string, settings: Settings, locale: Locale): FileReport {
  const skipped = entry.skipped ?? { reason: coreText(locale, 'fileBinary'), kind: 'unanalysable' as const, code: 'binary' as const };
  const finding = skippedFileFinding(skipped.reason, skipped.kind, '', locale, settings);
  return {
    file: display,
    absolute: entry.file.absolute,
    text: '',
    findings: finding ? [finding] : [],
    coverage: { statements: 0, embeddedQueries: 0, skipped: skipped.code },
  };
}

/**
 * Analyses one loaded file and, with fix, applies its safe fixes and writes it back. `note` says why
 * fixes found were not written (read-only, changed on disk, …).
 */
export function checkLoaded(
  entry: LoadedFile,
  schema: WorkspaceSchema,
  settings: Settings,
  locale: Locale,
  fix: boolean,
  cache?: DocumentCache,
  options: CheckOptions = {},
): CheckedFile {
  const cwd = options.cwd ?? process.cwd();
  if (entry.text === undefined || entry.skipped)
    return { report: skippedReport(entry, entry.file.display, settings, locale), applied: 0, reuse: { readSchema: false, repeatable: true } };
  let text = entry.text;
  const reuse = { readSchema: false, repeatable: true };
  const analyse = (current: string) => {
    const analysed = analyze(current, entry, schema, settings, locale, options, cache);
    reuse.readSchema ||= analysed.readSchema;
    reuse.repeatable &&= analysed.repeatable;
    return analysed;
  };
  let { findings, coverage } = analyse(text);
  let applied = 0;
  let note: string | undefined;
  if (fix) {
    ({ text, applied, findings, coverage } = applySafeFixes(text, findings, coverage, analyse));
    if (applied) {
      const refusal = writeFixed(entry, text, workspaceOf(cwd));
      if (refusal) {
        note = coreText(locale, 'cliFixNotWritten', { reason: coreText(locale, REFUSAL_TEXT[refusal.reason], { detail: refusal.detail ?? '' }) });
        applied = 0;
        text = entry.text;
        ({ findings, coverage } = analyse(text));
      }
    }
  }
  return { report: { file: entry.file.display, absolute: entry.file.absolute, text, findings, coverage }, applied, note, reuse };
}

export interface CheckedFile {
  report: FileReport;
  applied: number;
  /** Why fixes found were not written, localised. */
  note?: string;
  /** What the result cache needs to know about the analysis (cli/cache.ts). */
  reuse: {
    /** A rule looked at the workspace schema: the result holds only for the same schema. */
    readSchema: boolean;
    /** No rule failed and the time budget was not used up: analysing again gives the same result. */
    repeatable: boolean;
  };
}

/**
 * One file from standard input. `output` is what --fix prints: the input bytes themselves when
 * nothing was fixed (whatever their encoding), else the fixed text in the input's encoding.
 */
export function checkStdin(
  raw: Buffer,
  fileName: string,
  settings: Settings,
  locale: Locale,
  fix: boolean,
  truncated = false,
): { report: FileReport; output: Buffer; note?: string } {
  const language = languageOfPath(fileName) ?? 'sql';
  const file: InputFile = { absolute: path.resolve(fileName), display: fileName, explicit: true };
  const entry = loadedFromBytes(file, raw, language, locale);
  // Input above the size limit was not read to its end (it may never end: /dev/zero).
  if (truncated)
    entry.skipped = {
      reason: coreText(locale, 'fileTooLarge', { size: `> ${settings.maxFileSizeMb}`, limit: settings.maxFileSizeMb }),
      kind: 'unanalysable',
      code: 'too-large',
    };
  const note = entry.encoding === 'latin1' ? `${fileName}: ${coreText(locale, 'cliReadAsLatin1')}` : undefined;
  if (entry.text === undefined || entry.skipped) return { report: skippedReport(entry, fileName, settings, locale), output: raw, note };
  const schema = new WorkspaceSchema();
  const analyseText = (current: string) => analyze(current, entry, schema, settings, locale, { cwd: undefined });
  let text = entry.text;
  let { findings, coverage } = analyseText(text);
  let output = raw;
  if (fix) {
    const fixed = applySafeFixes(text, findings, coverage, analyseText);
    if (fixed.applied) {
      try {
        output = encodeText(fixed.text, entry.encoding);
        ({ text, findings, coverage } = fixed);
      } catch {
        return {
          report: { file: fileName, absolute: file.absolute, text, findings, coverage },
          output: raw,
          note: `${fileName}: ${coreText(locale, 'cliFixNotWritten', { reason: coreText(locale, 'cliFixUnencodable') })}`,
        };
      }
    }
  }
  return { report: { file: fileName, absolute: file.absolute, text, findings, coverage }, output, note };
}

/** The loaded file, or undefined when it cannot be loaded (readInput says why). */
export function loadFile(file: InputFile, settings?: Settings, locale: Locale = 'en'): LoadedFile | undefined {
  const outcome = readInput(file, settings, locale, process.cwd());
  return 'loaded' in outcome ? outcome.loaded : undefined;
}

/**
 * Reads one file: only a regular file (a FIFO would block, /dev/zero never ends), its size checked
 * before reading. Vendored code named on the command line is not read; generated code found by a
 * walk or a glob is left out.
 */
export function readInput(
  file: InputFile,
  settings: Settings | undefined,
  locale: Locale,
  cwd: string,
): { loaded: LoadedFile } | { problem: InputProblem } | { excluded: true } {
  const language = languageOfPath(file.absolute);
  if (!language) return { problem: { kind: 'unsupported', path: file.display } };
  const empty = Buffer.alloc(0);
  const generatedByPath = settings?.analyseGeneratedCode ? undefined : generatedPath(toSlashes(path.relative(cwd, file.absolute)));
  if (generatedByPath) {
    if (!file.explicit) return { excluded: true };
    return {
      loaded: {
        file,
        text: undefined,
        raw: empty,
        encoding: 'utf8',
        language,
        skipped: { reason: generatedReason(generatedByPath, locale), kind: 'excluded', code: 'generated' },
      },
    };
  }
  let descriptor: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    descriptor = fs.openSync(file.absolute, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    return { problem: { kind: 'unreadable', path: file.display, detail: describeError(error) } };
  }
  try {
    const stat = fs.fstatSync(descriptor);
    if (!stat.isFile()) return { problem: { kind: 'not-regular', path: file.display } };
    const limitBytes = (settings?.maxFileSizeMb ?? 2) * 1024 * 1024;
    if (stat.size > limitBytes) {
      const reason = coreText(locale, 'fileTooLarge', { size: (stat.size / 1048576).toFixed(1), limit: settings?.maxFileSizeMb ?? 2 });
      return { loaded: { file, text: undefined, raw: empty, encoding: 'utf8', language, skipped: { reason, kind: 'unanalysable', code: 'too-large' } } };
    }
    const raw = fs.readFileSync(descriptor);
    const loaded = loadedFromBytes(file, raw, language, locale);
    if (!file.explicit && loaded.text !== undefined && !settings?.analyseGeneratedCode && generatedCode('', loaded.text, language)) return { excluded: true };
    return { loaded };
  } catch (error) {
    return { problem: { kind: 'unreadable', path: file.display, detail: describeError(error) } };
  } finally {
    fs.closeSync(descriptor);
  }
}

function loadedFromBytes(file: InputFile, raw: Buffer, language: DocumentLanguage, locale: Locale): LoadedFile {
  const decoded = decodeText(raw);
  if (!decoded)
    return {
      file,
      raw,
      text: undefined,
      encoding: 'utf8',
      language,
      skipped: { reason: coreText(locale, 'fileBinary'), kind: 'unanalysable', code: 'binary' },
    };
  return { file, raw, text: decoded.text, encoding: decoded.encoding, language };
}

/**
 * The text of a file: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, or
 * else Latin-1 (ISO-8859-1, which Windows-1252 text decodes as well for analysis: every byte is one
 * character, so writing back gives the same bytes). Undefined for binary bytes (NUL, many control bytes).
 */
export function decodeText(raw: Buffer): { text: string; encoding: TextEncoding } | undefined {
  try {
    if (raw[0] === 0xff && raw[1] === 0xfe) return { text: new TextDecoder('utf-16le', { fatal: true }).decode(raw.subarray(2)), encoding: 'utf16le' };
    if (raw[0] === 0xfe && raw[1] === 0xff) return { text: new TextDecoder('utf-16be', { fatal: true }).decode(raw.subarray(2)), encoding: 'utf16be' };
    // isUtf8 validates as TextDecoder's fatal mode does, several times faster; toString keeps a byte-order mark.
    if (!isUtf8(raw)) throw new TypeError('not UTF-8');
    const text = raw.toString('utf8');
    return text.charCodeAt(0) === 0xfeff ? { text: text.slice(1), encoding: 'utf8-bom' } : { text, encoding: 'utf8' };
  } catch {
    if (looksBinaryBytes(raw)) return undefined;
    return { text: raw.toString('latin1'), encoding: 'latin1' };
  }
}

/** The bytes of a text in an encoding; throws when a character has no byte in Latin-1. */
export function encodeText(text: string, encoding: TextEncoding): Buffer {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf8-bom':
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 'utf16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf16be': {
      const bytes = Buffer.from(text, 'utf16le');
      bytes.swap16();
      return Buffer.concat([Buffer.from([0xfe, 0xff]), bytes]);
    }
    case 'latin1':
      // eslint-disable-next-line no-control-regex -- the Latin-1 range starts at U+0000 on purpose
      if (/[^\u0000-\u00ff]/.test(text)) throw new RangeError('a character outside Latin-1');
      return Buffer.from(text, 'latin1');
  }
}

function looksBinaryBytes(raw: Buffer): boolean {
  const sample = raw.subarray(0, 65536);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) control++;
  }
  return control > 0 && control >= sample.length / 10;
}

/** Applies safe fixes round after round until none is left (a fix may reveal another). */
function applySafeFixes(
  text: string,
  findings: Finding[],
  coverage: Coverage,
  analyseText: (text: string) => Analysed,
): Analysed & { text: string; applied: number } {
  let applied = 0;
  for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
    const edits = mergeFixes(findings.flatMap((finding) => finding.fixes.filter((each) => each.safe).slice(0, 1)));
    if (!edits.length) break;
    text = applyEdits(text, edits);
    applied += edits.length;
    ({ findings, coverage } = analyseText(text));
  }
  return { text, applied, findings, coverage };
}

function analyze(
  text: string,
  entry: LoadedFile,
  schema: WorkspaceSchema,
  settings: Settings,
  locale: Locale,
  options: CheckOptions,
  cache?: DocumentCache,
): Analysed & { readSchema: boolean; repeatable: boolean } {
  let readSchema = false;
  const noteReads = (model: SchemaModel) => whenRead(model, () => (readSchema = true));
  const result = lint({
    text,
    language: entry.language,
    fileName: entry.file.absolute,
    workspaceFolder: options.cwd,
    settings,
    locale,
    schema: (facts) => noteReads(entry.language === 'sql' ? schema.modelFor(entry.file.absolute, facts) : schema.model()),
    cache,
    sqlDialect: dialectOf(entry, settings, options),
    project: options.project,
  });
  // A skipped-file finding on a file that was analysed: the time budget ran out, which depends on the machine.
  const outOfTime = !result.coverage.skipped && result.findings.some((finding) => finding.ruleId === 'skipped-file');
  return { findings: result.findings, coverage: result.coverage, readSchema, repeatable: !result.ruleErrors.length && !outOfTime };
}

/** The model, noting whether a rule reads it (most files' findings do not depend on the schema at all). */
function whenRead(model: SchemaModel, read: () => void): SchemaModel {
  return new Proxy(model, {
    get(target, property, receiver) {
      read();
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
}

interface Analysed {
  findings: Finding[];
  coverage: Coverage;
}

function tooLarge(text: string, settings: Settings): boolean {
  return text.length > settings.maxFileSizeMb * 1024 * 1024;
}

type Refusal = 'read-only' | 'outside-workspace' | 'changed' | 'not-regular' | 'unencodable' | 'failed';

const REFUSAL_TEXT = {
  'read-only': 'cliFixReadOnly',
  'outside-workspace': 'cliFixOutsideWorkspace',
  changed: 'cliFixChanged',
  'not-regular': 'cliFixNotRegular',
  unencodable: 'cliFixUnencodable',
  failed: 'cliFixFailed',
} as const;

/**
 * Writes the fixed text, or says why not. Only when the file on disk still holds the bytes that were
 * analysed (an editor or another tool may have changed it meanwhile), is writable by its mode (root
 * ignores permissions, a 0444 file is still meant to stay as it is), and, reached through a symbolic
 * link, lies inside the workspace. The real file is written, never the link replaced. A file with
 * several hard links, or whose owner the new file could not get, is rewritten in place; otherwise a
 * temporary file with the same mode and owner is renamed over it, so a crash never leaves half a file.
 */
function writeFixed(entry: LoadedFile, text: string, workspace: string): { reason: Refusal; detail?: string } | undefined {
  let bytes: Buffer;
  try {
    bytes = encodeText(text, entry.encoding);
  } catch {
    return { reason: 'unencodable' };
  }
  try {
    const given = path.resolve(entry.file.absolute);
    const target = fs.realpathSync(given);
    if (target !== given && !isInside(fs.realpathSync(workspace), target)) return { reason: 'outside-workspace', detail: target };
    const stat = fs.statSync(target);
    if (!stat.isFile()) return { reason: 'not-regular' };
    if ((stat.mode & 0o222) === 0) return { reason: 'read-only' };
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch {
      return { reason: 'read-only' };
    }
    if (!fs.readFileSync(target).equals(entry.raw)) return { reason: 'changed' };
    if (stat.nlink > 1 || !replaceByRename(target, bytes, stat)) writeInPlace(target, bytes);
    return undefined;
  } catch (error) {
    return { reason: 'failed', detail: describeError(error) };
  }
}

function replaceByRename(target: string, bytes: Buffer, stat: fs.Stats): boolean {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.armadilha-${process.pid}.tmp`);
  let descriptor: number;
  try {
    descriptor = fs.openSync(temporary, 'wx', 0o600);
  } catch {
    return false; // the folder is not writable: write the file itself
  }
  try {
    fs.writeFileSync(descriptor, bytes);
    fs.fchmodSync(descriptor, stat.mode & 0o7777);
    const created = fs.fstatSync(descriptor);
    if (created.uid !== stat.uid || created.gid !== stat.gid) fs.fchownSync(descriptor, stat.uid, stat.gid);
    fs.fsyncSync(descriptor);
  } catch {
    fs.closeSync(descriptor);
    fs.rmSync(temporary, { force: true });
    return false;
  }
  fs.closeSync(descriptor);
  try {
    fs.renameSync(temporary, target);
    return true;
  } catch {
    fs.rmSync(temporary, { force: true });
    return false;
  }
}

function writeInPlace(target: string, bytes: Buffer): void {
  const descriptor = fs.openSync(target, 'r+');
  try {
    fs.writeSync(descriptor, bytes, 0, bytes.length, 0);
    fs.ftruncateSync(descriptor, bytes.length);
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** The repository holding the folder (the nearest ancestor with .git), else the folder itself. */
function workspaceOf(cwd: string): string {
  for (let directory = path.resolve(cwd); ; directory = path.dirname(directory)) {
    if (fs.existsSync(path.join(directory, '.git'))) return directory;
    if (path.dirname(directory) === directory) return path.resolve(cwd);
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return !!relative && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function toSlashes(file: string): string {
  return file.split(path.sep).join('/');
}
