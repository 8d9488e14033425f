// Targets (issue 7) checked against the measurements, the Markdown table, and the README region.

import * as fs from 'node:fs';
import type { CliJob, ToolId } from './cli';
import { replaceRegion } from '../scripts/readme-region';
import type { LatencyResult } from './latency';
import type { MachineInfo } from './machine';
import { scalingMarkdown, type ScalingRow, type StartupResult } from './scaling';
import type { ColdStartResult, MemoryResult } from './server';
import type { Peer, PeerId } from './setup';
import { round } from './stats';

export interface Results {
  machine: MachineInfo & { loadAverage: { start: number[]; end: number[] } };
  versions: { armadilha: string; squawk?: string; pgls?: string };
  durationSeconds: number;
  peers: Record<PeerId, Peer>;
  cli: CliJob[];
  latency: { sql: { document: string; armadilha: LatencyResult; squawk?: LatencyResult }; ts: { document: string; armadilha: LatencyResult } };
  coldStart: ColdStartResult & { document: string };
  memory: MemoryResult;
  /** `check` on an empty folder against `node -e 0` (bench/scaling.ts). */
  startup?: StartupResult;
  /** Generated inputs of growing size (bench/scaling.ts). */
  scaling?: ScalingRow[];
  targets: Target[];
  notes: string[];
}

export interface Target {
  id: string;
  description: string;
  limit: string;
  value: string;
  met: boolean | null;
}

export const job = (jobs: CliJob[], tool: ToolId, set: string) => jobs.find((each) => each.tool === tool && each.set.id === set);
const median = (entry?: CliJob) => (entry?.status === 'ok' ? entry.wallSeconds?.median : undefined);
const check = (value: number | undefined, limit: number) => (value === undefined || Number.isNaN(value) ? null : value <= limit);
const show = (value: number | undefined, unit: string) =>
  value === undefined || Number.isNaN(value) ? 'not measured' : unit === '×' ? `${value.toFixed(2)}×` : `${value} ${unit}`;

export function ratio(jobs: CliJob[], set: string, peer: PeerId, ourTool: ToolId = 'armadilha'): number | undefined {
  const ours = median(job(jobs, ourTool, set));
  const theirs = median(job(jobs, peer, set));
  return ours !== undefined && theirs ? round(ours / theirs, 2) : undefined;
}

export function targets(results: Omit<Results, 'targets' | 'notes'>): Target[] {
  const sqlLatency = results.latency.sql.armadilha.latencyMs;
  const tsLatency = results.latency.ts.armadilha.latencyMs;
  const okLatency = (result: LatencyResult) => result.status === 'ok';
  const vsSquawk = ratio(results.cli, 'sql367', 'squawk');
  const warmVsSquawk = ratio(results.cli, 'sql367', 'squawk', 'armadilha-cache');
  const vsPgls = ratio(results.cli, 'sql372', 'pgls');
  const cliRss = job(results.cli, 'armadilha', 'sql372')?.peakRssMb?.median;
  const cold = results.coldStart.totalMs?.median;
  const rss = results.memory.afterAll?.rssMb;
  const latency = (id: string, label: string, value: number | undefined, limit: number, ok: boolean): Target => ({
    id,
    description: `${label} (ms)`,
    limit: `≤ ${limit}`,
    value: show(ok ? value : undefined, 'ms'),
    met: ok ? check(value, limit) : false,
  });
  return [
    {
      id: 'cli-vs-squawk',
      description: 'CLI wall time on corpus/sql (367 files squawk can read), armadilha / squawk medians',
      limit: '≤ 1.0',
      value: show(vsSquawk, '×'),
      met: check(vsSquawk, 1),
    },
    {
      id: 'cli-warm-vs-squawk',
      description: 'CLI wall time on corpus/sql (367 files), warm --cache, armadilha / squawk medians',
      limit: '≤ 0.3',
      value: show(warmVsSquawk, '×'),
      met: check(warmVsSquawk, 0.3),
    },
    {
      id: 'cli-vs-pgls',
      description: 'CLI wall time on all of corpus/sql, armadilha / pgls medians',
      limit: '≤ 0.25',
      value: show(vsPgls, '×'),
      met: check(vsPgls, 0.25),
    },
    { id: 'cli-rss', description: 'CLI peak RSS on corpus/sql (MB, median of runs)', limit: '≤ 250', value: show(cliRss, 'MB'), met: check(cliRss, 250) },
    latency('latency-sql-p50', 'keystroke to diagnostics, 10,000-line SQL, p50', sqlLatency?.p50, 15, okLatency(results.latency.sql.armadilha)),
    latency('latency-sql-p95', 'keystroke to diagnostics, 10,000-line SQL, p95', sqlLatency?.p95, 50, okLatency(results.latency.sql.armadilha)),
    latency('latency-ts-p50', 'keystroke to diagnostics, 2,000-line TypeScript, p50', tsLatency?.p50, 15, okLatency(results.latency.ts.armadilha)),
    latency('latency-ts-p95', 'keystroke to diagnostics, 2,000-line TypeScript, p95', tsLatency?.p95, 50, okLatency(results.latency.ts.armadilha)),
    {
      id: 'cold-start',
      description: 'server spawn to first diagnostics of a 1,000-line SQL file (ms, median)',
      limit: '≤ 800',
      value: show(cold, 'ms'),
      met: results.coldStart.status === 'ok' ? check(cold, 800) : false,
    },
    {
      id: 'server-memory',
      description: 'server VmRSS with the whole corpus open (MB)',
      limit: '≤ 300',
      value: show(rss, 'MB'),
      met: results.memory.status === 'ok' ? check(rss, 300) : false,
    },
    ...scalingTargets(results, vsSquawk),
  ];
}

// Issue 16: linear cost, memory bounded by the work, the corpus within 4× squawk.
function scalingTargets(results: Omit<Results, 'targets' | 'notes'>, corpusVsSquawk: number | undefined): Target[] {
  const rows = results.scaling ?? [];
  const ok = (row?: ScalingRow) => (row?.armadilha.status === 'ok' && !row.armadilha.skippedFiles ? row : undefined);
  const sqlRows = rows.filter((row) => row.series === 'sql-file' && row.lines >= 10_000 && ok(row));
  const perLine = sqlRows.map((row) => row.cpuPerKiloLine!);
  const flat = perLine.length >= 2 ? round(Math.max(...perLine) / Math.min(...perLine), 2) : undefined;
  const million = ok(rows.find((row) => row.series === 'sql-file' && row.lines === 1_000_000));
  const millionVsSquawk = million?.squawk?.status === 'ok' ? round(million.armadilha.cpuSeconds / million.squawk.cpuSeconds, 2) : undefined;
  const tenThousand = ok(rows.find((row) => row.series === 'migration-files' && row.files === 10_000));
  return [
    {
      id: 'cpu-per-line-flat',
      description: `CPU per line, one SQL file, 10k to ${sqlRows.at(-1)?.lines.toLocaleString('en') ?? '?'} lines: max / min`,
      limit: '≤ 1.3',
      value: show(flat, '×'),
      met: check(flat, 1.3),
    },
    {
      id: 'sql-1m-vs-squawk',
      description: '1,000,000-line SQL file: CPU, armadilha / squawk',
      limit: '≤ 4',
      value: show(millionVsSquawk, '×'),
      met: check(millionVsSquawk, 4),
    },
    {
      id: 'rss-1m',
      description: 'CLI peak RSS on the 1,000,000-line SQL file (MB)',
      limit: '≤ 300',
      value: show(million?.armadilha.peakRssMb, 'MB'),
      met: check(million?.armadilha.peakRssMb, 300),
    },
    {
      id: 'rss-10k-files',
      description: 'CLI peak RSS on 10,000 migration files (MB)',
      limit: '≤ 300',
      value: show(tenThousand?.armadilha.peakRssMb, 'MB'),
      met: check(tenThousand?.armadilha.peakRssMb, 300),
    },
    {
      id: 'corpus-vs-squawk',
      description: 'CLI wall time on corpus/sql (367 files), cold, armadilha / squawk (issue 16)',
      limit: '≤ 4',
      value: show(corpusVsSquawk, '×'),
      met: check(corpusVsSquawk, 4),
    },
  ];
}

const PEER_VERSION = (peer: Peer) => peer.label.split('@').pop();
const mark = (met: boolean | null | undefined) => (met === true ? '✅' : met === false ? '❌' : '—');
const seconds = (entry: CliJob | undefined, peer?: Peer) => {
  if (peer?.error) return 'not installed';
  if (!entry) return '—';
  if (entry.status === 'skipped') return 'not run¹';
  if (entry.status === 'failed') return `failed: ${entry.reason?.split(':')[0] ?? ''}`;
  return `${entry.wallSeconds!.median.toFixed(2)} s (${entry.wallSeconds!.min.toFixed(2)})`;
};
const latencyCell = (result?: LatencyResult) => {
  if (!result) return '—';
  if (result.status !== 'ok' || !result.latencyMs) return `failed: ${(result.reason ?? '').slice(0, 60)}`;
  const { p50, p95, max } = result.latencyMs;
  return `${p50} / ${p95} / ${max} ms`;
};

export function markdown(results: Results): string {
  const { machine, cli, peers } = results;
  const target = (id: string) => results.targets.find((each) => each.id === id);
  const cliSqlFull = job(cli, 'armadilha', 'sql372');
  const rssCell = (entry: CliJob | undefined, peer?: Peer) =>
    peer?.error
      ? 'not installed'
      : entry?.peakRssMb && entry.status === 'ok'
        ? `${Math.round(entry.peakRssMb.median)} MB`
        : entry?.status === 'failed'
          ? 'failed'
          : '—';
  const squawk = `squawk ${peers.squawk.version ?? PEER_VERSION(peers.squawk)}`;
  const pgls = `pgls ${peers.pgls.version ?? PEER_VERSION(peers.pgls)}`;
  const rows = [
    `| | armadilha | ${squawk} | ${pgls} | target | met |`,
    '|---|---:|---:|---:|---|:-:|',
    `| CLI, corpus/sql, 367 files¹: wall median (min) | ${seconds(job(cli, 'armadilha', 'sql367'))} | ${seconds(job(cli, 'squawk', 'sql367'), peers.squawk)} | ${seconds(job(cli, 'pgls', 'sql367'), peers.pgls)} | ≤ 1.0× squawk: **${target('cli-vs-squawk')?.value}**; pgls: ${show(ratio(cli, 'sql367', 'pgls'), '×')} | ${mark(target('cli-vs-squawk')?.met)} |`,
    `| CLI, corpus/sql, 367 files¹, warm \`--cache\`³: wall median (min) | ${seconds(job(cli, 'armadilha-cache', 'sql367'))} | ${seconds(job(cli, 'squawk', 'sql367'), peers.squawk)} | — | ≤ 0.3× squawk: **${target('cli-warm-vs-squawk')?.value}** | ${mark(target('cli-warm-vs-squawk')?.met)} |`,
    `| CLI, corpus/sql, 367 files¹, warm \`--cache\`, each file's result looked up³: wall median (min) | ${seconds(job(cli, 'armadilha-cache-files', 'sql367'))} | ${seconds(job(cli, 'squawk', 'sql367'), peers.squawk)} | — | squawk: ${show(ratio(cli, 'sql367', 'squawk', 'armadilha-cache-files'), '×')} | |`,
    `| CLI, corpus/sql, 367 files¹, \`--changed\` (10 new migrations)³: wall median (min) | ${seconds(job(cli, 'armadilha-changed', 'sql367'))} | ${seconds(job(cli, 'squawk', 'sql367'), peers.squawk)} | — | squawk: ${show(ratio(cli, 'sql367', 'squawk', 'armadilha-changed'), '×')} | |`,
    `| CLI, corpus/sql, all 372 files: wall median (min) | ${seconds(cliSqlFull)} | ${seconds(job(cli, 'squawk', 'sql372'), peers.squawk)} | ${seconds(job(cli, 'pgls', 'sql372'), peers.pgls)} | ≤ 0.25× pgls: **${target('cli-vs-pgls')?.value}** | ${mark(target('cli-vs-pgls')?.met)} |`,
    `| CLI, corpus/ts, 491 files: wall median (min) | ${seconds(job(cli, 'armadilha', 'ts'))} | — | — | | |`,
    `| CLI peak RSS, corpus/sql (372; squawk 367) | ${rssCell(cliSqlFull)} | ${rssCell(job(cli, 'squawk', 'sql367'), peers.squawk)} | ${rssCell(job(cli, 'pgls', 'sql372'), peers.pgls)} | ≤ 250 MB | ${mark(target('cli-rss')?.met)} |`,
    `| Keystroke → diagnostics, 10,000-line SQL: p50 / p95 / max | ${latencyCell(results.latency.sql.armadilha)} | ${peers.squawk.error ? 'not installed' : latencyCell(results.latency.sql.squawk)}² | — | p50 ≤ 15, p95 ≤ 50 ms | ${mark(target('latency-sql-p50')?.met && target('latency-sql-p95')?.met)} |`,
    `| Keystroke → diagnostics, 2,000-line TypeScript: p50 / p95 / max | ${latencyCell(results.latency.ts.armadilha)} | — | — | p50 ≤ 15, p95 ≤ 50 ms | ${mark(target('latency-ts-p50')?.met && target('latency-ts-p95')?.met)} |`,
    `| Cold start → first diagnostics, 1,000-line SQL: median (max) | ${results.coldStart.totalMs ? `${Math.round(results.coldStart.totalMs.median)} ms (${Math.round(results.coldStart.totalMs.max)})` : `failed`} | — | — | ≤ 800 ms | ${mark(target('cold-start')?.met)} |`,
    `| Server memory, whole corpus open (${(results.memory.documents?.sql ?? 0) + (results.memory.documents?.ts ?? 0)} documents): VmRSS (VmHWM) | ${results.memory.afterAll && results.memory.status === 'ok' ? `${Math.round(results.memory.afterAll.rssMb)} MB (${Math.round(results.memory.afterAll.hwmMb)})` : 'failed'} | — | — | ≤ 300 MB | ${mark(target('server-memory')?.met)} |`,
  ];
  const load = machine.loadAverage;
  const issue16 = ['cpu-per-line-flat', 'sql-1m-vs-squawk', 'rss-1m', 'rss-10k-files', 'corpus-vs-squawk']
    .map((id) => target(id))
    .filter((each): each is Target => !!each);
  const scaling = results.scaling?.length
    ? [
        '',
        `Scaling (generated inputs; wall / CPU, peak RSS). Startup: \`check\` on an empty folder ${results.startup ? `${results.startup.checkMs.median} ms, \`node -e 0\` ${results.startup.nodeMs.median} ms` : 'not measured'}.`,
        '',
        scalingMarkdown(results.scaling),
        '',
        '| target (issue 16) | limit | value | met |',
        '|---|---|---|:-:|',
        ...issue16.map((each) => `| ${each.description} | ${each.limit} | ${each.value} | ${mark(each.met)} |`),
      ]
    : [];
  return [
    `Measured ${machine.date.slice(0, 16).replace('T', ' ')} UTC on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB, Node ${machine.node}; load average ${load.start.join(' ')} at start, ${load.end.join(' ')} at end. armadilha ${results.versions.armadilha} (production bundle).`,
    '',
    ...rows,
    '',
    '¹ All of corpus/sql but the 5 files squawk cannot take: it panics ("parser seems stuck", multi-GB RSS) on `alter_table`, `create_table`, `rules` and `with.sql` of the regress suite, and stops at the non-UTF-8 `collate.windows.win1252.sql` — either way a whole-corpus run reports nothing, so squawk is not run on all 372.',
    `² squawk server, pull diagnostics (\`textDocument/diagnostic\` after each change); armadilha pushes them. Keystrokes: ${results.latency.sql.armadilha.keystrokes} SQL, ${results.latency.ts.armadilha.keystrokes} TypeScript, at the first statement, a statement in the middle and the end. Details in bench/results.json.`,
    '³ Warm `--cache`: the second and later runs on unchanged files (the first run, untimed, fills the cache); results are those of a cold run. An unchanged run is replayed whole (its output recorded, every input checked by stat); "each file\'s result looked up" is the same run with `--verbose`, never replayed, which reads the per-file cache as a run with a few changed files does. `--changed`: a git repository over the corpus in which the last 10 supabase migrations are new files; those 10 are analysed, the schema still read from all 367 (no cache). squawk\'s column is its whole-corpus run, for comparison.',
    ...scaling,
  ].join('\n');
}

export function updateReadme(file: string, table: string): boolean {
  const updated = replaceRegion(fs.readFileSync(file, 'utf8'), 'bench', `${table}\n`);
  if (updated === undefined) return false;
  fs.writeFileSync(file, updated);
  return true;
}
