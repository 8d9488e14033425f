// Editor latency through the LSP over stdio: one character typed (an incremental didChange) to the
// diagnostics of that version. armadilha pushes them (publishDiagnostics with the version); squawk
// answers a textDocument/diagnostic request sent right after the change. Keystrokes are typed one
// after the other, each once the previous one's diagnostics arrived, with a short pause between.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient } from '../test/helpers/lsp-client';
import { composeDocument, listFiles, planKeystrokes, SQL_TYPING, SQUAWK_BREAKERS, TS_TYPING, type Keystroke } from './inputs';
import { PullClient } from './pull-client';
import { busyWindow, loadAverage, processCpuSeconds, processMemory } from './machine';
import { checkCorpus } from './setup';
import { sleep, track, withTimeout } from './proc';
import { distribution, round, type Distribution } from './stats';

export interface Document {
  uri: string;
  text: string;
  languageId: string;
  lines: number;
}

export interface LatencyResult {
  status: 'ok' | 'failed';
  reason?: string;
  keystrokes: number;
  firstAnalysisMs?: number;
  latencyMs?: Distribution;
  byPosition?: Record<string, Distribution>;
  diagnostics?: { first: number; last: number };
  errors?: number;
  /** Server memory once the first analysis is done, and after the last keystroke. */
  serverMemoryBeforeMb?: { rssMb: number; hwmMb: number };
  serverMemoryMb?: { rssMb: number; hwmMb: number };
  /** Cores busy on the whole machine during the keystrokes, and the part not used by this server and the bench. */
  busyCores?: number;
  otherBusyCores?: number;
  loadAverage?: number[];
}

/** Measures the machine's CPU use over the keystrokes, minus what the server and the bench itself used. */
function loadProbe(pid: number): { stop(): Pick<LatencyResult, 'busyCores' | 'otherBusyCores' | 'loadAverage'> } {
  const window = busyWindow();
  const serverCpu = processCpuSeconds(pid);
  const ownCpu = process.cpuUsage();
  return {
    stop() {
      const busy = window.stop();
      const own = process.cpuUsage(ownCpu);
      const used = processCpuSeconds(pid) - serverCpu + (own.user + own.system) / 1e6;
      return { busyCores: busy.busyCores, otherBusyCores: round(Math.max(0, busy.busyCores - used / busy.seconds), 2), loadAverage: busy.loadAverage };
    },
  };
}

const PAUSE_MS = 20;
const WAIT_MS = 30_000;

function summarizeSamples(samples: Array<{ label: string; ms: number }>): Pick<LatencyResult, 'latencyMs' | 'byPosition'> {
  const byPosition: Record<string, Distribution> = {};
  for (const label of new Set(samples.map((sample) => sample.label)))
    byPosition[label] = distribution(samples.filter((sample) => sample.label === label).map((sample) => sample.ms));
  return { latencyMs: distribution(samples.map((sample) => sample.ms)), byPosition };
}

/** armadilha's server, through the test client (push diagnostics, waited for by version). */
export async function armadilhaLatency(command: string[], document: Document, keystrokes: Keystroke[]): Promise<LatencyResult> {
  const client = new TestClient({ command });
  track(client.process);
  const samples: Array<{ label: string; ms: number }> = [];
  try {
    await withTimeout(client.initialize(), WAIT_MS, 'initialize');
    const opened = performance.now();
    const first = await withTimeout(client.open(document.uri, document.text, document.languageId), WAIT_MS, 'the first diagnostics');
    const firstAnalysisMs = round(performance.now() - opened);
    await sleep(200);
    const serverMemoryBeforeMb = processMemory(client.process.pid!);
    const load = loadProbe(client.process.pid!);
    let last = first.length;
    let version = 1;
    for (const keystroke of keystrokes) {
      const expected = ++version;
      const diagnostics = client.nextDiagnostics(document.uri, (params) => params.version === expected);
      const position = { line: keystroke.line, character: keystroke.character };
      const started = performance.now();
      void client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: document.uri, version: expected },
        contentChanges: [{ range: { start: position, end: position }, text: keystroke.text }],
      });
      last = (await withTimeout(diagnostics, WAIT_MS, `diagnostics of version ${expected}`)).length;
      samples.push({ label: keystroke.label, ms: performance.now() - started });
      await sleep(PAUSE_MS);
    }
    const busy = load.stop();
    const serverMemoryMb = processMemory(client.process.pid!);
    return {
      status: 'ok',
      keystrokes: samples.length,
      firstAnalysisMs,
      ...summarizeSamples(samples),
      diagnostics: { first: first.length, last },
      serverMemoryBeforeMb,
      serverMemoryMb,
      ...busy,
    };
  } catch (error) {
    return {
      status: 'failed',
      reason: `${(error as Error).message}${client.stderr ? `; stderr: ${client.stderr.slice(0, 300)}` : ''}`,
      keystrokes: samples.length,
      ...(samples.length ? summarizeSamples(samples) : {}),
    };
  } finally {
    await stop(
      client.connection.sendRequest('shutdown').then(() => client.connection.sendNotification('exit')),
      client.process,
    );
  }
}

/** A pull-diagnostics server (squawk): didChange, then textDocument/diagnostic, timed to its answer. */
export async function pullLatency(command: string[], cwd: string, document: Document, keystrokes: Keystroke[]): Promise<LatencyResult> {
  const client = new PullClient(command, cwd);
  const samples: Array<{ label: string; ms: number }> = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    await withTimeout(client.initialize(), WAIT_MS, 'initialize');
    const opened = performance.now();
    client.open(document.uri, document.text, document.languageId);
    const first = await withTimeout(client.pull(document.uri), WAIT_MS, 'the first diagnostics');
    if (first.error) throw new Error(`first pull failed: ${first.error}`);
    const firstAnalysisMs = round(performance.now() - opened);
    await sleep(200);
    const serverMemoryBeforeMb = processMemory(client.process.pid!);
    const load = loadProbe(client.process.pid!);
    let last = first.items!.length;
    for (const keystroke of keystrokes) {
      const position = { line: keystroke.line, character: keystroke.character };
      const started = performance.now();
      client.insert(document.uri, position, keystroke.text);
      const pulled = await withTimeout(client.pull(document.uri), WAIT_MS, 'pulled diagnostics');
      const ms = performance.now() - started;
      if (pulled.error) {
        errors++;
        firstError ??= pulled.error;
        continue;
      }
      last = pulled.items!.length;
      samples.push({ label: keystroke.label, ms });
      await sleep(PAUSE_MS);
    }
    const busy = load.stop();
    const serverMemoryMb = processMemory(client.process.pid!);
    return {
      status: samples.length ? 'ok' : 'failed',
      reason: firstError,
      keystrokes: samples.length,
      firstAnalysisMs,
      ...summarizeSamples(samples),
      diagnostics: { first: first.items!.length, last },
      errors,
      serverMemoryBeforeMb,
      serverMemoryMb,
      ...busy,
    };
  } catch (error) {
    return {
      status: 'failed',
      reason: `${(error as Error).message}${client.stderr ? `; stderr: ${client.stderr.slice(0, 300)}` : ''}`,
      keystrokes: samples.length,
      errors,
    };
  } finally {
    await stop(client.shutdown(), client.process);
  }
}

/** Waits briefly for a polite shutdown, then kills. */
export async function stop(
  shutdown: Promise<unknown>,
  child: { exitCode: number | null; signalCode: string | null; kill(signal: NodeJS.Signals): boolean; once(event: 'exit', listener: () => void): unknown },
): Promise<void> {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  await withTimeout(
    shutdown.catch(() => undefined).then(() => exited),
    2000,
    'exit',
  ).catch(() => undefined);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

// Run directly, it measures keystroke → diagnostics on SQL and TypeScript files of several sizes
// (the issue's targets: p95 ≤ 50 ms on a 50,000-line SQL file and a 10,000-line TypeScript file),
// for one or more server builds, interleaved case by case so that the machine's load affects all alike:
//
//   npm run bench:latency -- [--sql 1000,10000,50000] [--ts 2000,10000] [--keys 40]
//       [--server dist/server.js[,/tmp/before/dist/server.js]] [--node-args "--cpu-prof"] [--json file]
//
// --keys is per typing position (three per file: a table or variable name near the top, one in the
// middle, a new statement at the end); --server takes several builds (a "before" worktree's
// dist/server.js) measured one after the other on each file.
// The documents are composed from ../shared/corpus as `npm run bench` composes its 10,000-line one.
async function main(argv: string[]): Promise<number> {
  const value = (flag: string, fallback: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : fallback;
  };
  const sizes = (flag: string, fallback: string) => value(flag, fallback).split(',').filter(Boolean).map(Number);
  const perPosition = Number(value('--keys', '40'));
  const servers = value('--server', 'dist/server.js')
    .split(',')
    .map((file) => path.resolve(file));
  const nodeArgs = value('--node-args', '').split(' ').filter(Boolean);
  const corpus = checkCorpus();
  const sqlFiles = listFiles(corpus.sql, '.sql');
  const common = sqlFiles.filter((file) => !SQUAWK_BREAKERS.test(file));
  const sqlSources = [
    ...sqlFiles.filter((file) => file.includes('/supabase/')),
    ...sqlFiles.filter((file) => file.includes('/plain_schema/')),
    ...common.filter((file) => file.includes('/postgres_regress/')),
  ];
  const tsFiles = listFiles(corpus.ts, '.ts');
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'armadilha-latency-'));
  const cases = [
    ...sizes('--sql', '1000,10000,50000').map((lines) => ({
      name: `SQL ${lines} lines`,
      file: `migration-${lines}.sql`,
      text: composeDocument(sqlSources, lines, '--'),
      languageId: 'sql',
      typing: SQL_TYPING,
    })),
    ...sizes('--ts', '2000,10000').map((lines) => ({
      name: `TypeScript ${lines} lines`,
      file: `module-${lines}.ts`,
      text: composeDocument(tsFiles, lines, '//'),
      languageId: 'typescript',
      typing: TS_TYPING,
    })),
  ];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = loadAverage();
  log(`keystroke → diagnostics, ${perPosition} keystrokes per position; load average ${started.join(' ')}`);
  const results: Record<string, Record<string, LatencyResult>> = {};
  try {
    for (const each of cases) {
      const file = path.join(temp, each.file);
      fs.writeFileSync(file, each.text);
      const document: Document = { uri: pathToFileURL(file).toString(), text: each.text, languageId: each.languageId, lines: each.text.split('\n').length - 1 };
      const keys = planKeystrokes(each.text, each.typing, perPosition);
      results[each.name] = {};
      for (const server of servers) {
        const result = await armadilhaLatency([process.execPath, ...nodeArgs, server, '--stdio'], document, keys);
        results[each.name][server] = result;
        const summary = result.latencyMs
          ? `p50 ${result.latencyMs.p50} / p95 ${result.latencyMs.p95} / max ${result.latencyMs.max} ms`
          : `FAILED: ${result.reason}`;
        const positions = Object.entries(result.byPosition ?? {})
          .map(([label, stats]) => `${label} ${stats.p50}/${stats.p95}`)
          .join(', ');
        log(`${each.name} [${server}]: ${summary} (first analysis ${result.firstAnalysisMs} ms; ${positions}; load ${result.loadAverage?.join(' ')})`);
      }
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  log(`load average at end ${loadAverage().join(' ')}`);
  const json = argv.indexOf('--json');
  if (json >= 0) fs.writeFileSync(argv[json + 1], `${JSON.stringify({ loadAverage: { start: started, end: loadAverage() }, results }, null, 2)}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
