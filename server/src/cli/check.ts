// `armadilha check`: reads the files, builds the schema model from every .sql file given, analyses
// each file, and with --fix applies safe fixes in place (atomically, and only to files that did not
// change on disk meanwhile).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { sqlDialectFor, type Settings } from '../config';
import { languageOfPath, lint, type Coverage, type DocumentLanguage, type Finding } from '../lint';
import { NO_PROJECT, type ProjectContext } from '../project/context';
import type { Locale } from '../locale';
import { applyEdits, mergeFixes } from '../fixes';
import { DocumentCache } from '../document-cache';
import { schemaFactsOfScript, type SchemaFact } from '../schema/facts';
import { WorkspaceSchema } from '../schema/workspace';
import type { InputFile } from './files';
import type { FileReport } from './formats';

const MAX_FIX_ROUNDS = 5;

export interface CheckResult {
  reports: FileReport[];
  fixesApplied: number;
  filesFixed: number;
}

export interface LoadedFile {
  file: InputFile;
  text: string | undefined;
  raw: Buffer;
  encoding: TextEncoding;
  language: DocumentLanguage;
}

/** What a run knows beyond each file: the project around the files, and the folder setting globs are relative to. */
export interface CheckContext {
  project: ProjectContext;
  /** The folder of the configuration file, or the current folder. */
  base: string;
}

const NO_CONTEXT: CheckContext = { project: NO_PROJECT, base: process.cwd() };

/** How a file's bytes encode its text; --fix writes the text back the same way. */
export type TextEncoding = 'utf8' | 'utf8-bom' | 'utf16le' | 'utf16be';

export function checkFiles(files: InputFile[], settings: Settings, locale: Locale, fix: boolean, context: CheckContext = NO_CONTEXT): CheckResult {
  const loaded = files.map(loadFile).filter((entry): entry is LoadedFile => !!entry);
  const caches = new Map<LoadedFile, DocumentCache>();
  const schema = new WorkspaceSchema();
  for (const entry of loaded) {
    const cache = new DocumentCache();
    caches.set(entry, cache);
    const facts = factsOf(entry, settings, cache, context);
    if (facts) schema.updateFacts(entry.file.absolute, facts);
  }
  const result: CheckResult = { reports: [], fixesApplied: 0, filesFixed: 0 };
  for (const entry of loaded) {
    const checked = checkLoaded(entry, schema, settings, locale, fix, caches.get(entry), context);
    caches.delete(entry); // the file's statements are not needed any more
    result.reports.push(checked.report);
    result.fixesApplied += checked.applied;
    if (checked.applied) result.filesFixed++;
  }
  return result;
}

/**
 * What a .sql file says about the schema, read cheaply (only CREATE/ALTER/DROP/… statements are
 * parsed). The split is kept in the file's cache for the analysis that follows.
 */
export function factsOf(entry: LoadedFile, settings: Settings, cache: DocumentCache, context: CheckContext = NO_CONTEXT): SchemaFact[] | undefined {
  if (entry.language !== 'sql' || entry.text === undefined || tooLarge(entry.text, settings)) return undefined;
  return schemaFactsOfScript(entry.text, cache.sql.split(entry.text, true), dialectOf(entry, settings, context));
}

function dialectOf(entry: LoadedFile, settings: Settings, context: CheckContext) {
  return entry.language === 'sql' ? sqlDialectFor(settings, path.relative(context.base, entry.file.absolute)) : undefined;
}

/** Analyses one loaded file and, with fix, applies its safe fixes and writes it back. */
export function checkLoaded(entry: LoadedFile, schema: WorkspaceSchema, settings: Settings, locale: Locale, fix: boolean, cache?: DocumentCache, context: CheckContext = NO_CONTEXT): { report: FileReport; applied: number } {
  let text = entry.text ?? '\u0000';
  const analyze = (current: string) => analyzeFile(current, entry, schema, settings, locale, context, cache);
  let { findings, coverage } = analyze(text);
  let applied = 0;
  if (fix && entry.text !== undefined) {
    for (let round = 0; round < MAX_FIX_ROUNDS; round++) {
      const edits = mergeFixes(findings.flatMap((finding) => finding.fixes.filter((each) => each.safe).slice(0, 1)));
      if (!edits.length) break;
      text = applyEdits(text, edits);
      applied += edits.length;
      ({ findings, coverage } = analyze(text));
    }
    if (applied && !writeIfUnchanged(entry, text)) {
      applied = 0;
      text = entry.text;
      ({ findings, coverage } = analyze(text));
    }
  }
  return { report: { file: entry.file.display, text, findings, coverage }, applied };
}

export function checkText(text: string, fileName: string, settings: Settings, locale: Locale, fix: boolean): { report: FileReport; fixedText: string } {
  const language = languageOfPath(fileName) ?? 'sql';
  const schema = new WorkspaceSchema();
  const entry: LoadedFile = { file: { absolute: path.resolve(fileName), display: fileName }, text, raw: Buffer.from(text), encoding: 'utf8', language };
  let current = text;
  let { findings, coverage } = analyzeFile(current, entry, schema, settings, locale, NO_CONTEXT);
  for (let round = 0; fix && round < MAX_FIX_ROUNDS; round++) {
    const edits = mergeFixes(findings.flatMap((finding) => finding.fixes.filter((each) => each.safe).slice(0, 1)));
    if (!edits.length) break;
    current = applyEdits(current, edits);
    ({ findings, coverage } = analyzeFile(current, entry, schema, settings, locale, NO_CONTEXT));
  }
  return { report: { file: fileName, text: current, findings, coverage }, fixedText: current };
}

function analyzeFile(text: string, entry: LoadedFile, schema: WorkspaceSchema, settings: Settings, locale: Locale, context: CheckContext, cache?: DocumentCache): { findings: Finding[]; coverage: Coverage } {
  const result = lint({
    text,
    language: entry.language,
    fileName: entry.file.absolute,
    settings,
    locale,
    schema: (facts) => (entry.language === 'sql' ? schema.modelFor(entry.file.absolute, facts) : schema.model()),
    cache,
    sqlDialect: dialectOf(entry, settings, context),
    project: context.project,
  });
  return { findings: result.findings, coverage: result.coverage };
}

export function loadFile(file: InputFile): LoadedFile | undefined {
  const language = languageOfPath(file.absolute);
  if (!language) return undefined;
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file.absolute);
  } catch {
    return undefined;
  }
  const decoded = decodeText(raw);
  return { file, raw, text: decoded?.text, encoding: decoded?.encoding ?? 'utf8', language };
}

/**
 * The text of a file: UTF-8 (with or without a byte-order mark), or UTF-16 with a byte-order mark.
 * Undefined when the bytes are none of these (a binary file, Windows-1252 text).
 */
export function decodeText(raw: Buffer): { text: string; encoding: TextEncoding } | undefined {
  try {
    if (raw[0] === 0xff && raw[1] === 0xfe) return { text: new TextDecoder('utf-16le', { fatal: true }).decode(raw.subarray(2)), encoding: 'utf16le' };
    if (raw[0] === 0xfe && raw[1] === 0xff) return { text: new TextDecoder('utf-16be', { fatal: true }).decode(raw.subarray(2)), encoding: 'utf16be' };
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
    return text.charCodeAt(0) === 0xfeff ? { text: text.slice(1), encoding: 'utf8-bom' } : { text, encoding: 'utf8' };
  } catch {
    return undefined;
  }
}

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
  }
}

function tooLarge(text: string, settings: Settings): boolean {
  return text.length > settings.maxFileSizeMb * 1024 * 1024;
}

// Writes through a temporary file and a rename, and only when the file on disk still holds the
// bytes that were analysed: an editor or another tool may have changed it meanwhile.
function writeIfUnchanged(entry: LoadedFile, text: string): boolean {
  try {
    const current = fs.readFileSync(entry.file.absolute);
    if (!current.equals(entry.raw)) return false;
    const temporary = path.join(path.dirname(entry.file.absolute), `.${path.basename(entry.file.absolute)}.armadilha-${process.pid}.tmp`);
    fs.writeFileSync(temporary, encodeText(text, entry.encoding), { mode: fs.statSync(entry.file.absolute).mode });
    fs.renameSync(temporary, entry.file.absolute);
    return true;
  } catch {
    return false;
  }
}
