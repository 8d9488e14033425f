// An edit storm through the language server: 300 corpus files open, 20 of them edited in turn (one
// character every --interval ms, whatever the server is doing, as a typist does), a hover and a code
// action request after each edit; then every document closed. Prints hover and code-action latency
// (p50/p95/max), how long the server stays busy after the storm and after the closes, and its memory.
//
//   npm run bench:storm -- [--server dist/server.js] [--documents 300] [--hot 20] [--edits 200] [--interval 100] [--json file]
//
// The machine may be shared: the load average before and the CPU the rest of the machine used during
// the run are printed with the numbers.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient } from '../test/helpers/lsp-client';
import { listFiles, readAsEditor } from './inputs';
import { busyWindow, loadAverage, machineInfo, processCpuSeconds, processMemory } from './machine';
import { sleep, track, withTimeout } from './proc';
import { CORPUS } from './setup';

const CORPUS_SQL = path.join(CORPUS, 'sql');
const CORPUS_TS = path.join(CORPUS, 'ts');
import { distribution, round } from './stats';
import { StatisticsRequest } from '../shared/protocol';

interface Options {
  server: string;
  documents: number;
  hot: number;
  edits: number;
  interval: number;
  json?: string;
}

function options(): Options {
  const value = (name: string, fallback: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index > 0 ? process.argv[index + 1] : fallback;
  };
  return {
    server: path.resolve(value('server', 'dist/server.js')),
    documents: Number(value('documents', '300')),
    hot: Number(value('hot', '20')),
    edits: Number(value('edits', '200')),
    interval: Number(value('interval', '100')),
    json: process.argv.includes('--json') ? value('json', '') : undefined,
  };
}

interface OpenDocument {
  file: string;
  uri: string;
  languageId: string;
  /** Where characters are typed (hot documents only): after a table or variable name. */
  caret?: number;
}

const SQL_TABLE_NAME = /^(?:create|alter)\s+table\s+(?:if\s+not\s+exists\s+)?[\w."]*\w/im;
const TS_DECLARATION = /^\s*(?:export\s+)?(?:const|let)\s+[A-Za-z_$][\w$]*/m;
const MAX_BYTES = 150_000;

/** Half SQL, half TypeScript, spread over the corpus; the hot ones are mid-sized files with a place to type. */
export function pickDocuments(count: number, hot: number): { documents: OpenDocument[]; hot: OpenDocument[] } {
  const pick = (files: string[], wanted: number) => {
    const usable = files.filter((file) => fs.statSync(file).size <= MAX_BYTES);
    const step = usable.length / wanted;
    return Array.from({ length: Math.min(wanted, usable.length) }, (_, index) => usable[Math.floor(index * step)]);
  };
  const sql = pick(listFiles(CORPUS_SQL, '.sql'), Math.ceil(count / 2));
  const typescript = pick(listFiles(CORPUS_TS, '.ts'), count - sql.length);
  const documents: OpenDocument[] = [...sql, ...typescript].map((file) => ({
    file,
    uri: pathToFileURL(file).toString(),
    languageId: file.endsWith('.sql') ? 'sql' : 'typescript',
  }));
  const candidates = (languageId: string, pattern: RegExp) =>
    documents.filter((document) => {
      if (document.languageId !== languageId) return false;
      const size = fs.statSync(document.file).size;
      return size > 3_000 && size < 60_000 && pattern.test(readAsEditor(document.file));
    });
  const spread = (list: OpenDocument[], wanted: number) =>
    Array.from({ length: Math.min(wanted, list.length) }, (_, index) => list[Math.floor((index * list.length) / wanted)]);
  const hotDocuments = [
    ...spread(candidates('sql', SQL_TABLE_NAME), Math.ceil(hot / 2)),
    ...spread(candidates('typescript', TS_DECLARATION), Math.floor(hot / 2)),
  ];
  return { documents, hot: hotDocuments };
}

/** Waits until the server has used (almost) no CPU for `quietMs`; resolves with when its last busy moment was. */
async function idle(pid: number, quietMs = 600): Promise<number> {
  let lastBusy = performance.now();
  let cpu = processCpuSeconds(pid);
  for (;;) {
    await sleep(100);
    const now = processCpuSeconds(pid);
    if (now - cpu > 0.02) lastBusy = performance.now();
    cpu = now;
    if (performance.now() - lastBusy >= quietMs) return lastBusy;
  }
}

async function main(): Promise<void> {
  const settings = options();
  const machine = machineInfo();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `edit storm: ${settings.documents} documents, ${settings.hot} hot, ${settings.edits} edits every ${settings.interval} ms; ${machine.cpu}, ${machine.cores} cores; load average ${loadAverage().join(' ')}`,
  );
  log(`server: ${settings.server}`);
  const { documents, hot } = pickDocuments(settings.documents, settings.hot);
  const client = new TestClient({ command: [process.execPath, settings.server, '--stdio'] });
  track(client.process);
  const pid = client.process.pid!;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, processMemory(pid)?.rssMb ?? 0)), 200);
  try {
    await withTimeout(client.initialize(), 60_000, 'initialize');
    const opening = performance.now();
    await withTimeout(
      Promise.all(documents.map((document) => client.open(document.uri, readAsEditor(document.file), document.languageId))),
      600_000,
      'the first diagnostics',
    );
    log(
      `opened ${documents.length} documents (${documents.filter((each) => each.languageId === 'sql').length} SQL) in ${round((performance.now() - opening) / 1000, 1)} s; RSS ${processMemory(pid)?.rssMb} MB`,
    );
    await idle(pid);

    for (const document of hot) {
      const text = client.text(document.uri);
      const match = (document.languageId === 'sql' ? SQL_TABLE_NAME : TS_DECLARATION).exec(text)!;
      document.caret = match.index + match[0].length;
    }
    const hovers: number[] = [];
    const actions: number[] = [];
    const failures: string[] = [];
    const requests: Array<Promise<unknown>> = [];
    const machineLoad = busyWindow();
    const serverCpu = processCpuSeconds(pid);
    const started = performance.now();
    for (let edit = 0; edit < settings.edits; edit++) {
      const document = hot[edit % hot.length];
      const character = 'abcdefghijklmnopqrstuvwxyz'[Math.floor(edit / hot.length) % 26];
      void client.typeAt(document.uri, document.caret!, character);
      document.caret!++;
      const position = positionOf(client.text(document.uri), document.caret!);
      const timed = (list: number[], method: string, params: object) => {
        const sent = performance.now();
        return client.connection.sendRequest(method, params).then(
          () => list.push(performance.now() - sent),
          (error) => failures.push(`${method}: ${(error as Error).message}`),
        );
      };
      requests.push(timed(hovers, 'textDocument/hover', { textDocument: { uri: document.uri }, position }));
      requests.push(
        timed(actions, 'textDocument/codeAction', {
          textDocument: { uri: document.uri },
          range: { start: position, end: position },
          context: { diagnostics: [] },
        }),
      );
      await sleep(settings.interval);
    }
    await withTimeout(Promise.all(requests), 1_200_000, 'the answers');
    const answered = performance.now();
    const settledAt = await idle(pid);
    const load = machineLoad.stop();
    const ownCpu = processCpuSeconds(pid) - serverCpu;
    const afterStorm = processMemory(pid);
    log(
      `storm: ${settings.edits} edits over ${round((answered - started) / 1000, 1)} s until the last answer; server busy until ${round((settledAt - started) / 1000, 1)} s; server CPU ${round(ownCpu, 1)} s`,
    );
    log(`  hover        ${format(distribution(hovers))}`);
    log(`  code action  ${format(distribution(actions))}`);
    if (failures.length) log(`  ${failures.length} requests failed, first: ${failures[0]}`);
    log(`  machine: ${load.busyCores} cores busy on average (this server ${round(ownCpu / load.seconds, 2)}), load average ${loadAverage().join(' ')}`);
    log(`  memory after the storm: RSS ${afterStorm?.rssMb} MB (peak sampled ${peakRss} MB, VmHWM ${afterStorm?.hwmMb} MB)`);
    const statistics = await client.connection.sendRequest(StatisticsRequest).catch(() => null);
    if (statistics)
      log(`  server: ${statistics.analyses} analyses since start, ${statistics.caches} document caches, memory ${JSON.stringify(statistics.memoryMb)}`);

    const closing = performance.now();
    const cleared = documents.map((document) => client.nextDiagnostics(document.uri, (params) => params.diagnostics.length === 0));
    for (const document of documents) void client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: document.uri } });
    await withTimeout(Promise.all(cleared), 1_200_000, 'the closes');
    // Until the last moment the server was busy (or every diagnostic was cleared, if later).
    const closedAt = await idle(pid);
    const closeSeconds = round((closedAt - closing) / 1000, 1);
    log(`closing ${documents.length} documents: diagnostics cleared and server idle after ${closeSeconds} s`);
    const final = processMemory(pid);
    log(`memory at the end: RSS ${final?.rssMb} MB, VmHWM ${final?.hwmMb} MB`);
    if (settings.json) {
      const result = {
        machine,
        settings,
        hover: distribution(hovers),
        codeAction: distribution(actions),
        failures: failures.length,
        stormSeconds: round((answered - started) / 1000, 1),
        busySeconds: round((settledAt - started) / 1000, 1),
        closeSeconds,
        memory: { afterStorm, peakRss, final },
        load,
      };
      fs.writeFileSync(settings.json, `${JSON.stringify(result, null, 2)}\n`);
    }
  } finally {
    clearInterval(sampler);
    client.process.kill();
  }
}

function format(summary: ReturnType<typeof distribution>): string {
  return `p50 ${summary.p50} ms, p95 ${summary.p95} ms, max ${summary.max} ms (${summary.count} answered)`;
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
