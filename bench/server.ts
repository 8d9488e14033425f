// The language server from spawn to first diagnostics (cold start), and its memory with every file of
// the corpus open as a document.

import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient } from '../test/helpers/lsp-client';
import { readAsEditor } from './inputs';
import type { Document } from './latency';
import { stop } from './latency';
import { processMemory } from './machine';
import { track, withTimeout } from './proc';
import { round, summarize, type Summary } from './stats';

export interface ColdStartResult {
  status: 'ok' | 'failed';
  reason?: string;
  /** Spawn → first publishDiagnostics of the document. */
  totalMs?: Summary;
  /** Spawn → initialize answered. */
  initializeMs?: Summary;
  diagnostics?: number;
}

export async function coldStart(command: string[], document: Document, runs: number): Promise<ColdStartResult> {
  const totals: number[] = [];
  const initializes: number[] = [];
  let diagnostics = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const client = new TestClient({ command });
    track(client.process);
    try {
      await withTimeout(client.initialize(), 30_000, 'initialize');
      initializes.push(performance.now() - started);
      diagnostics = (await withTimeout(client.open(document.uri, document.text, document.languageId), 30_000, 'the first diagnostics')).length;
      totals.push(performance.now() - started);
    } catch (error) {
      return { status: 'failed', reason: `run ${run + 1}: ${(error as Error).message}; stderr: ${client.stderr.slice(0, 300)}` };
    } finally {
      await stop(
        client.connection.sendRequest('shutdown').then(() => client.connection.sendNotification('exit')),
        client.process,
      );
    }
  }
  return { status: 'ok', totalMs: summarize(totals, 1), initializeMs: summarize(initializes, 1), diagnostics };
}

export interface MemoryResult {
  status: 'ok' | 'failed';
  reason?: string;
  documents?: { sql: number; ts: number };
  diagnostics?: number;
  openSeconds?: number;
  afterSql?: { rssMb: number; hwmMb: number };
  afterAll?: { rssMb: number; hwmMb: number };
  /** Two seconds later, idle (the garbage collector may have returned memory). */
  settled?: { rssMb: number; hwmMb: number };
}

const languageOf = (file: string) => (file.endsWith('.sql') ? 'sql' : 'typescript');

/** Opens every file as a document (SQL first, then TypeScript), each once its predecessor's diagnostics came. */
export async function serverMemory(command: string[], sqlFiles: string[], tsFiles: string[]): Promise<MemoryResult> {
  const client = new TestClient({ command });
  track(client.process);
  const pid = client.process.pid!;
  let diagnostics = 0;
  try {
    await withTimeout(client.initialize(), 30_000, 'initialize');
    const started = performance.now();
    let afterSql: MemoryResult['afterSql'];
    for (const file of [...sqlFiles, ...tsFiles]) {
      const text = readAsEditor(file);
      diagnostics += (await withTimeout(client.open(pathToFileURL(file).toString(), text, languageOf(file)), 60_000, `diagnostics of ${path.basename(file)}`))
        .length;
      if (file === sqlFiles[sqlFiles.length - 1]) afterSql = processMemory(pid);
    }
    const openSeconds = round((performance.now() - started) / 1000, 2);
    const afterAll = processMemory(pid);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const settled = processMemory(pid);
    return { status: 'ok', documents: { sql: sqlFiles.length, ts: tsFiles.length }, diagnostics, openSeconds, afterSql, afterAll, settled };
  } catch (error) {
    return { status: 'failed', reason: `${(error as Error).message}; stderr: ${client.stderr.slice(0, 300)}`, afterAll: processMemory(pid) };
  } finally {
    await stop(
      client.connection.sendRequest('shutdown').then(() => client.connection.sendNotification('exit')),
      client.process,
    );
  }
}
