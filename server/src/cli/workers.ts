// Worker threads for `check --jobs N`: each worker loads the parser, rebuilds the workspace schema from
// the facts the main thread read (so every worker sees the model a serial run sees), and analyses the
// files it is handed one at a time, asking for the next when it is done (a slow file does not hold up
// a queue). The main thread puts the results back in input order, so the output is the serial run's.
// Workers pay only with several cores: each compiles the parser and warms its own JIT.

import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Settings } from '../core/config';
import type { DocumentCache } from '../core/document-cache';
import { loadParser } from '../languages/sql/parser';
import type { Locale } from '../core/locale';
import type { ProjectContext } from '../project/context';
import { DiskProject } from '../project/disk-project';
import type { SchemaFact } from '../schema/facts';
import { WorkspaceSchema } from '../schema/workspace';
import { checkLoaded, type CheckedFile, type CheckOptions, type LoadedFile } from './check';
import { recordingProject, type ProjectCall } from './recording-project';

/** A file's settings and the folder its sql.dialect globs are relative to (its configuration file's). */
export interface FileSettings {
  settings: Settings;
  base: string;
}

export interface AnalysisSetup {
  locale: Locale;
  fix: boolean;
  cwd: string;
  /** Schema facts of every .sql file, by absolute path. */
  facts: Array<[string, SchemaFact[]]>;
  /** The distinct settings of the files to analyse; each file names its own by index. */
  configurations: FileSettings[];
}

export interface AnalysedFile {
  checked: CheckedFile;
  /** What the analysis asked the project (undefined: an answer could not be recorded). */
  calls: ProjectCall[] | undefined;
}

/** Analyses one file with the project's answers recorded (the same in a worker and in the main thread). */
export function analyseRecorded(
  entry: LoadedFile,
  schema: WorkspaceSchema,
  own: FileSettings,
  setup: Pick<AnalysisSetup, 'locale' | 'fix' | 'cwd'>,
  project: ProjectContext,
  cache?: DocumentCache,
): AnalysedFile {
  const recorder = recordingProject(project);
  const options: CheckOptions = { cwd: setup.cwd, base: own.base, project: recorder.project };
  const checked = checkLoaded(entry, schema, own.settings, setup.locale, setup.fix, cache, options);
  return { checked, calls: recorder.calls() };
}

export function schemaFromFacts(facts: Array<[string, SchemaFact[]]>): WorkspaceSchema {
  const schema = new WorkspaceSchema();
  for (const [file, each] of facts) schema.updateFacts(file, each);
  return schema;
}

/** The script a worker runs: the bundled CLI itself (undefined when not running from the bundle). */
export function workerScript(): string | undefined {
  return __filename.endsWith('.js') ? __filename : undefined;
}

/**
 * Analyses the entries in `jobs` workers; resolves with the results by index. Rejects if a worker
 * fails (the caller analyses what is left in the main thread).
 */
export function analyseInWorkers(
  jobs: number,
  entries: Array<{ entry: LoadedFile; configuration: number }>,
  setup: AnalysisSetup,
  script: string,
  onResult: (index: number, result: AnalysedFile) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let failed = false;
    const workers: Worker[] = [];
    const stopAll = () => workers.forEach((worker) => void worker.terminate());
    const hand = (worker: Worker) => {
      if (next < entries.length) {
        const index = next++;
        worker.postMessage({ index, ...entries[index] });
      } else worker.postMessage({ done: true });
    };
    for (let count = 0; count < Math.min(jobs, entries.length); count++) {
      const worker = new Worker(script, { workerData: { armadilhaCheckWorker: true, setup } });
      workers.push(worker);
      worker.on('message', (message: { index: number; result?: AnalysedFile; error?: string }) => {
        if (failed) return;
        if (message.error !== undefined) {
          failed = true;
          stopAll();
          return reject(new Error(message.error));
        }
        onResult(message.index, message.result!);
        if (++finished === entries.length) {
          stopAll();
          return resolve();
        }
        hand(worker);
      });
      worker.on('error', (error) => {
        if (failed) return;
        failed = true;
        stopAll();
        reject(error);
      });
      hand(worker);
    }
    if (!entries.length) resolve();
  });
}

/** The worker's side: set up once, then analyse what the main thread sends. */
export function runCheckWorker(): void {
  const setup = (workerData as { setup: AnalysisSetup }).setup;
  const schema = schemaFromFacts(setup.facts);
  const project = new DiskProject();
  const ready = loadParser();
  parentPort!.on('message', (message: { index: number; entry: LoadedFile; configuration: number } | { done: true }) => {
    if ('done' in message) return void parentPort!.close();
    ready
      .then(() => {
        // Structured cloning turned the Buffer into a Uint8Array (--fix compares the file's bytes with it).
        const entry = { ...message.entry, raw: Buffer.from(message.entry.raw.buffer, message.entry.raw.byteOffset, message.entry.raw.byteLength) };
        parentPort!.postMessage({ index: message.index, result: analyseRecorded(entry, schema, setup.configurations[message.configuration], setup, project) });
      })
      .catch((error: unknown) => parentPort!.postMessage({ index: message.index, error: String((error as Error)?.stack ?? error) }));
  });
}

export function isCheckWorker(): boolean {
  return !isMainThread && !!(workerData as { armadilhaCheckWorker?: boolean } | undefined)?.armadilhaCheckWorker;
}
