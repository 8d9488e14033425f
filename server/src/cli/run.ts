// One `check` run over files on disk: keep the collected files in scope (all, or the changed ones
// with --changed/--staged), read every .sql file's schema facts (the workspace model always comes from
// every migration, so a changed file gets the findings a full run gives it), take what the result
// cache still holds, analyse the rest (in worker threads with --jobs above 1), and return the reports
// in input order. The PostgreSQL parser is loaded only when something has to be parsed: a run the
// cache answers whole stats files, and reads only those with findings (to place them).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sqlDialectFor } from '../core/config';
import { DocumentCache } from '../core/document-cache';
import { generatedCode, generatedPath } from '../core/generated-code';
import { loadParser, pauseKeepingParses, startKeepingParses, stopKeepingParses } from '../languages/sql/parser';
import { languageOfPath, type DocumentLanguage } from '../core/lint';
import { coreText, type Locale } from '../core/locale';
import { DiskProject } from '../project/disk-project';
import type { SchemaFact } from '../schema/facts';
import { contentHash, contextKey, factsHash, ResultCache, schemaFingerprint } from './cache';
import { changedFiles, changedKey, type ChangedMode } from './changed';
import { decodeText, factsOf, readInput, type CheckResult, type LoadedFile, type TextEncoding } from './check';
import type { CollectedFiles, InputFile } from './files';
import type { FileReport } from './formats';
import { answersHold } from './recording-project';
import { HeapBound } from './heap-bound';
import { cacheFilePath, stampOf, statStamp, type RunInputs } from './replay';
import { analyseInWorkers, analyseRecorded, schemaFromFacts, workerScript, type AnalysedFile, type AnalysisSetup, type FileSettings } from './workers';

export interface RunOptions {
  /** The files found in the paths given (cli/files.ts). */
  collected: CollectedFiles;
  cwd: string;
  /** Each file's settings, and the folder its sql.dialect globs are relative to (its configuration file's). */
  settingsFor: (file: InputFile) => FileSettings;
  locale: Locale;
  fix: boolean;
  /** Analyse only the files git says changed (the schema is still read from every .sql file). */
  changed?: ChangedMode;
  /** Where the result cache lives (--cache); not used with --fix, which rewrites files. */
  cacheLocation?: string;
  /** Worker threads (1: analyse in the main thread). */
  jobs: number;
  /** With --jobs not given: workers only when there are enough files to pay for their start. */
  jobsExplicit?: boolean;
  /** Notes every file read, with its stat before reading, for replaying the run (cli/replay.ts). */
  inputs?: RunInputs;
}

export interface RunResult extends CheckResult {
  /** Files found in the paths given, changed or not. */
  collected: number;
  /** With --changed/--staged: how many files were in scope (0: nothing changed that Armadilha reads). */
  inScope?: number;
  /** With --cache: how many files' results came from it, of how many. */
  cache?: { reused: number; files: number; location: string };
  /** Worker threads the analysis ran in (0: the main thread). */
  workers: number;
}

/** The facts hash of a file that states nothing about the schema. */
const NO_FACTS = factsHash('[]');

/** Files each default worker should have at least, for its start (parser, JIT) to pay. */
const FILES_PER_WORKER = 24;

/** The default --jobs: worker threads pay from 4 cores on (measured: on 2 they do not). */
export function defaultJobs(cores = os.availableParallelism?.() ?? os.cpus().length): number {
  return cores >= 4 ? Math.min(cores, 8) : 1;
}

export async function runCheck(options: RunOptions): Promise<RunResult | { error: string }> {
  try {
    return await checkFiles(options);
  } finally {
    stopKeepingParses();
  }
}

async function checkFiles(options: RunOptions): Promise<RunResult | { error: string }> {
  const { cwd, locale, collected } = options;
  const result: RunResult = {
    reports: [],
    fixesApplied: 0,
    filesFixed: 0,
    problems: [...collected.problems],
    excluded: [],
    notes: [],
    collected: collected.files.length,
    workers: 0,
  };
  let inScope = (_file: InputFile) => true;
  if (options.changed) {
    const changed = changedFiles(cwd, options.changed);
    if ('error' in changed) return { error: changed.error };
    const folders = new Map<string, string>();
    inScope = (file) => changed.files.has(changedKey(file.absolute, folders));
    result.excluded = collected.excluded.filter((excluded) => !excluded.endsWith('/') && changed.files.has(changedKey(path.resolve(cwd, excluded), folders)));
  } else result.excluded = [...collected.excluded];

  // Each file's settings, resolved once.
  const own = new Map<InputFile, FileSettings>();
  const ownOf = (file: InputFile) => {
    let entry = own.get(file);
    if (!entry) {
      entry = options.settingsFor(file);
      own.set(file, entry);
    }
    return entry;
  };

  const cache = options.cacheLocation && !options.fix ? ResultCache.open(cacheFilePath(options.cacheLocation, cwd)) : undefined;
  const hashes = new Map<LoadedFile, string>();
  const hashOf = (entry: LoadedFile) => {
    let hash = hashes.get(entry);
    if (hash === undefined) {
      hash = contentHash(entry.raw);
      hashes.set(entry, hash);
    }
    return hash;
  };
  // Files the cache knows unchanged (by their stat) are read only if their text is needed.
  const unread = new Set<LoadedFile>();
  const hasText = (entry: LoadedFile) => unread.has(entry) || (entry.text !== undefined && !entry.skipped);

  // Read: every file in scope, and every .sql file for the schema.
  const sqlFiles: LoadedFile[] = [];
  const analysed: LoadedFile[] = [];
  for (const file of collected.files) {
    const scoped = inScope(file);
    const isSql = file.absolute.toLowerCase().endsWith('.sql');
    if (!scoped && !isSql) continue;
    const { settings } = ownOf(file);
    options.inputs?.folderAndAbove(path.dirname(file.absolute));
    const known = cache && knownUnchanged(file, cache, settings, cwd);
    let outcome: ReturnType<typeof readInput>;
    if (known && 'content' in known) {
      outcome = { loaded: known.loaded };
      unread.add(known.loaded);
      hashes.set(known.loaded, known.content);
      options.inputs?.file(file.absolute, known.stamp);
    } else if (known) {
      outcome = known.excluded;
      options.inputs?.file(file.absolute, known.stamp);
    } else {
      // The stat before reading: were the file written meanwhile, its new stat would not match the old bytes' hash.
      const stamp = cache || options.inputs ? stampOf(file.absolute) : undefined;
      outcome = readInput(file, settings, locale, cwd);
      options.inputs?.file(file.absolute, stamp);
      if (cache && stamp && 'loaded' in outcome && outcome.loaded.text !== undefined && !outcome.loaded.skipped) {
        const { loaded } = outcome;
        cache.storeStat(file.absolute, hashOf(loaded), { stamp, encoding: loaded.encoding, generated: !!generatedCode('', loaded.text!, loaded.language) });
      }
    }
    if ('problem' in outcome) result.problems.push(outcome.problem);
    else if ('excluded' in outcome) {
      if (scoped) result.excluded.push(file.display);
    } else {
      if (isSql) sqlFiles.push(outcome.loaded);
      if (scoped) {
        analysed.push(outcome.loaded);
        if (outcome.loaded.encoding === 'latin1') result.notes.push(`${file.display}: ${coreText(locale, 'cliReadAsLatin1')}`);
      }
    }
  }
  if (options.changed) result.inScope = analysed.length;

  let parserLoaded = false;
  const needParser = async () => {
    if (!parserLoaded) await loadParser();
    parserLoaded = true;
  };
  const checkOptionsOf = (entry: LoadedFile) => ({ cwd, base: ownOf(entry.file).base });

  // Schema facts of every .sql file: from the cache, or read (parsing only DDL statements).
  const documentCaches = new Map<LoadedFile, DocumentCache>();
  const wanted = new Set(analysed);
  const facts: Array<{ entry: LoadedFile; hash: string; facts?: SchemaFact[] }> = [];
  // The statements the schema pass parses are kept (up to a bound) for the analysis of their file in
  // this thread (worker threads parse their own).
  if (workerCount(options, analysed.length) <= 1) startKeepingParses(KEPT_PARSES_BYTES);
  const heap = new HeapBound();
  for (const entry of sqlFiles) {
    if (!hasText(entry)) continue;
    const { settings, base } = ownOf(entry.file);
    const key = `${sqlDialectFor(settings, path.relative(base, entry.file.absolute)) ?? ''}|${settings.maxFileSizeMb}`;
    const known = cache?.factsHash(entry.file.absolute, hashOf(entry), key);
    if (known) {
      if (known !== NO_FACTS) facts.push({ entry, hash: known });
      continue;
    }
    await needParser();
    heap.betweenFiles();
    // With --fix a file is analysed again after its fixes: its unchanged statements are reused then.
    const documentCache = new DocumentCache({ reuseStatements: options.fix });
    pauseKeepingParses(!wanted.has(entry));
    const stated = factsOf(entry, settings, documentCache, checkOptionsOf(entry)) ?? [];
    // The split is kept for the file's analysis that follows.
    if (wanted.has(entry)) documentCaches.set(entry, documentCache);
    const json = JSON.stringify(stated);
    const hash = factsHash(json);
    cache?.storeFacts(entry.file.absolute, hashOf(entry), key, hash, json);
    if (hash !== NO_FACTS) facts.push({ entry, hash, facts: stated });
  }
  pauseKeepingParses(false);
  const schemaKey = schemaFingerprint(facts.map((each) => [each.entry.file.absolute, each.hash]));

  // Results: from the cache when it still holds them, else analysed.
  const project = new DiskProject();
  const contextOf = (entry: LoadedFile) => contextKey(ownOf(entry.file).settings, locale, cwd, ownOf(entry.file).base);
  const reports = new Array<FileReport | undefined>(analysed.length);
  const misses: number[] = [];
  analysed.forEach((entry, index) => {
    const cached = cache?.result(entry.file.absolute, hashOf(entry), contextOf(entry), schemaKey, (calls) => answersHold(project, calls));
    // The text is needed only to place findings.
    if (cached)
      reports[index] = {
        file: entry.file.display,
        absolute: entry.file.absolute,
        text: cached.findings.length ? (entry.text ?? '') : '',
        findings: cached.findings,
        coverage: cached.coverage,
      };
    else misses.push(index);
  });
  if (misses.length) {
    await needParser();
    const allFacts: Array<[string, SchemaFact[]]> = facts.map((each) => {
      const cached = each.facts ? undefined : cache?.factsText(each.hash);
      // The facts file may have lost them (deleted, another run's): read again.
      const stated =
        each.facts ??
        (cached !== undefined
          ? (JSON.parse(cached) as SchemaFact[])
          : (factsOf(each.entry, ownOf(each.entry.file).settings, new DocumentCache(), checkOptionsOf(each.entry)) ?? []));
      return [each.entry.file.absolute, stated];
    });
    const configurations: FileSettings[] = [];
    const configurationOf = (entry: LoadedFile) => {
      const settings = ownOf(entry.file);
      const index = configurations.indexOf(settings);
      return index >= 0 ? index : configurations.push(settings) - 1;
    };
    const missed = misses.map((index) => ({ entry: analysed[index], configuration: configurationOf(analysed[index]) }));
    const setup: AnalysisSetup = { locale, fix: options.fix, cwd, facts: allFacts, configurations };
    const fixNotes: string[] = [];
    const record = (index: number, analysedFile: AnalysedFile) => {
      const entry = analysed[index];
      const { checked, calls } = analysedFile;
      reports[index] = checked.report;
      result.fixesApplied += checked.applied;
      if (checked.applied) result.filesFixed++;
      if (checked.note) fixNotes[index] = `${entry.file.display}: ${checked.note}`;
      if (cache && calls && checked.reuse.repeatable && hasText(entry)) {
        cache.storeResult(entry.file.absolute, hashOf(entry), {
          context: contextOf(entry),
          schema: checked.reuse.readSchema ? schemaKey : null,
          project: calls,
          findings: checked.report.findings,
          coverage: checked.report.coverage ?? { statements: 0, embeddedQueries: 0 },
        });
      }
    };
    const jobs = workerCount(options, misses.length);
    const script = workerScript();
    let left = misses;
    if (jobs > 1 && script) {
      result.workers = jobs;
      try {
        await analyseInWorkers(jobs, missed, setup, script, (position, analysedFile) => record(misses[position], analysedFile));
        left = [];
      } catch (error) {
        // A worker failed: what it did not finish is analysed here.
        result.notes.push(coreText(locale, 'cliWorkersFailed', { detail: String((error as Error)?.message ?? error).split('\n')[0] }));
        left = misses.filter((index) => !reports[index]);
      }
    }
    if (left.length) {
      const schema = schemaFromFacts(allFacts);
      for (const index of left) {
        const entry = analysed[index];
        // Only SQL files: a TypeScript project's live set is large, and collecting it often cost more
        // (+50% CPU on 2,000 modules) than the memory it gave back.
        if (entry.language === 'sql') heap.betweenFiles();
        record(index, analyseRecorded(entry, schema, ownOf(entry.file), setup, project, documentCaches.get(entry)));
        documentCaches.delete(entry); // its statements are not needed any more
      }
    }
    result.notes.push(...fixNotes.filter(Boolean));
  }
  result.reports = reports as FileReport[];
  if (cache) {
    result.cache = { reused: analysed.length - misses.length, files: analysed.length, location: cache.location };
    try {
      cache.save();
    } catch (error) {
      result.notes.push(coreText(locale, 'cliCacheNotWritten', { file: cache.location, detail: String((error as NodeJS.ErrnoException)?.code ?? error) }));
    }
  }
  return result;
}

/**
 * How much of the schema pass's parser output a run keeps for the analysis: the statements of a
 * repository's migrations usually fit; past it, the rest is parsed again rather than held.
 */
const KEPT_PARSES_BYTES = 16 * 1024 * 1024;

function workerCount(options: RunOptions, files: number): number {
  // A fix can change a migration's facts, which the files analysed after it see in a serial run.
  if (options.jobs <= 1 || options.fix) return 1;
  if (options.jobsExplicit) return Math.min(options.jobs, files);
  return Math.max(1, Math.min(options.jobs, Math.floor(files / FILES_PER_WORKER)));
}

/**
 * A file the cache saw with the same stat: its recorded content hash and a LoadedFile whose text is
 * read when first asked for; or its exclusion as generated code. Undefined when it must be read (its
 * stat changed, or it is not a plain text file within the size limit).
 */
function knownUnchanged(
  file: InputFile,
  cache: ResultCache,
  settings: FileSettings['settings'],
  cwd: string,
): { loaded: LoadedFile; content: string; stamp: string } | { excluded: { excluded: true }; stamp: string } | undefined {
  const language = languageOfPath(file.absolute);
  if (!language || (!settings.analyseGeneratedCode && generatedPath(path.relative(cwd, file.absolute).split(path.sep).join('/')))) return undefined;
  let stat: fs.Stats;
  try {
    stat = file.stat ?? fs.statSync(file.absolute);
  } catch {
    return undefined;
  }
  if (!stat.isFile() || stat.size > settings.maxFileSizeMb * 1024 * 1024) return undefined;
  const stamp = statStamp(stat);
  const known = stamp ? cache.unchanged(file.absolute, stamp) : undefined;
  if (!known || !stamp) return undefined;
  if (!file.explicit && !settings.analyseGeneratedCode && known.generated) return { excluded: { excluded: true }, stamp };
  return { loaded: unreadFile(file, language, known.encoding), content: known.content, stamp };
}

function unreadFile(file: InputFile, language: DocumentLanguage, encoding: TextEncoding): LoadedFile {
  let raw: Buffer | undefined;
  let text: string | undefined;
  const read = () => {
    if (raw) return;
    raw = fs.readFileSync(file.absolute);
    text = decodeText(raw)?.text;
  };
  return {
    file,
    language,
    encoding,
    get raw() {
      read();
      return raw!;
    },
    get text() {
      read();
      return text;
    },
  };
}
