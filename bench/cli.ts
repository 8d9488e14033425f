// CLI throughput: whole-process wall time, CPU time and peak RSS of each tool with its default rules,
// on the same inputs. Runs of the different tools are interleaved so that a change of load on the
// machine hits all of them alike; one untimed warm-up run per job checks that the tool works.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Peer, PeerId } from './setup';
import { runTimed, type TimedRun } from './proc';
import { round, summarize, type Summary } from './stats';
import { busyWindow } from './machine';

/**
 * armadilha-cache: `check --cache` with the cache its warm-up run filled (an unchanged run is replayed);
 * armadilha-cache-files: the same with --verbose, which is never replayed, so every file's result is
 * looked up; armadilha-changed: `check --changed` in a repository where a few files changed.
 */
export type ToolId = 'armadilha' | 'armadilha-cache' | 'armadilha-cache-files' | 'armadilha-changed' | PeerId;

export interface InputSet {
  id: string;
  label: string;
  files: number;
  /** A folder (walked by the tool) or an explicit list of files. */
  paths: string[];
}

export interface CliJob {
  tool: ToolId;
  set: InputSet;
  status: 'ok' | 'failed' | 'skipped';
  reason?: string;
  command?: string;
  runs?: number;
  wallSeconds?: Summary;
  cpuSeconds?: Summary;
  peakRssMb?: Summary;
  exitCodes?: number[];
  findings?: number;
  /** Cores busy on the whole machine beyond this tool's own CPU use, averaged over its runs. */
  otherBusyCores?: number;
}

interface Tool {
  id: ToolId;
  command(set: InputSet): string[];
  findings(stdout: string): number;
  okExitCodes: number[];
}

export interface ArmadilhaVariants {
  /** The --cache-location of armadilha-cache (and, with a suffix, of armadilha-cache-files). */
  cacheFile: string;
  /** The git repository (its GIT_DIR, over the corpus as work tree) armadilha-changed runs in. */
  changed?: { gitDir: string; workTree: string };
}

export function tools(dist: string, peers: Record<PeerId, Peer>, variants?: ArmadilhaVariants): Tool[] {
  const check = (set: InputSet) => [process.execPath, path.join(dist, 'cli.js'), 'check', ...set.paths, '--format', 'json', '--fail-on', 'none'];
  const findings = (stdout: string) => (JSON.parse(stdout) as { findings: unknown[] }).findings.length;
  const list: Tool[] = [{ id: 'armadilha', command: check, findings, okExitCodes: [0] }];
  if (variants) {
    list.push({ id: 'armadilha-cache', command: (set) => [...check(set), '--cache-location', variants.cacheFile], findings, okExitCodes: [0] });
    list.push({
      id: 'armadilha-cache-files',
      command: (set) => [...check(set), '--cache-location', `${variants.cacheFile}-files`, '--verbose'],
      findings,
      okExitCodes: [0],
    });
    const changed = variants.changed;
    // `env` sets git's variables and execs node: the timed process is still armadilha's.
    if (changed)
      list.push({
        id: 'armadilha-changed',
        command: (set) => ['env', `GIT_DIR=${changed.gitDir}`, `GIT_WORK_TREE=${changed.workTree}`, ...check(set), '--changed'],
        findings,
        okExitCodes: [0],
      });
  }
  if (peers.squawk.binary) {
    const binary = peers.squawk.binary;
    // Exit 1 means "found something"; 101 is a panic (and no output).
    list.push({
      id: 'squawk',
      command: (set) => [binary, ...set.paths, '--reporter', 'json'],
      findings: (stdout) => (JSON.parse(stdout) as unknown[]).length,
      okExitCodes: [0, 1],
    });
  }
  if (peers.pgls.binary) {
    const binary = peers.pgls.binary;
    list.push({
      id: 'pgls',
      command: (set) => [binary, 'check', '--disable-db', '--reporter=json', '--max-diagnostics=none', ...set.paths],
      findings: (stdout) => (JSON.parse(stdout) as { diagnostics: unknown[] }).diagnostics.length,
      okExitCodes: [0, 1],
    });
  }
  return list;
}

function display(command: string[]): string {
  const isCorpusFile = (part: string) => part.includes('/shared/corpus/') && /\.(sql|ts)$/.test(part);
  command = command.map((part) => part.replace(/^(GIT_DIR|GIT_WORK_TREE)=.*/, '$1=…'));
  const listed = command.filter(isCorpusFile).length;
  const shown: string[] = [];
  for (const part of command) {
    if (listed > 3 && isCorpusFile(part)) {
      if (!shown.includes('<files>')) shown.push('<files>');
    } else shown.push(part.includes('/shared/corpus/') ? part.replace(/.*\/shared\/corpus\//, 'corpus/') : part.includes('/') ? path.basename(part) : part);
  }
  return shown.join(' ').replace('<files>', `<${listed} files>`);
}

function failure(run: TimedRun, tool: Tool): string | undefined {
  if (run.timedOut) return `timed out after ${round(run.wallSeconds, 1)} s`;
  if (run.signal) return `killed by ${run.signal}`;
  if (!tool.okExitCodes.includes(run.exitCode ?? -1))
    return `exit ${run.exitCode}${run.exitCode === 101 ? ' (panic)' : ''}: ${run.stderrHead.split('\n').slice(0, 2).join(' ').slice(0, 200)}`;
  try {
    tool.findings(fs.readFileSync(run.stdoutFile, 'utf8'));
  } catch {
    return `exit ${run.exitCode}, no JSON report on stdout: ${run.stderrHead.split('\n')[0]?.slice(0, 200) ?? ''}`;
  }
  return undefined;
}

export interface CliOptions {
  cwd: string;
  outDir: string;
  gnuTime: boolean;
  /** Timed runs for jobs whose warm-up took under 10 s (3 above that). */
  runs: number;
  log: (line: string) => void;
}

export async function measureCli(pairs: Array<{ tool: Tool; set: InputSet }>, options: CliOptions): Promise<CliJob[]> {
  const jobs = pairs.map(({ tool, set }) => ({
    tool,
    set,
    result: { tool: tool.id, set, status: 'ok', command: display(tool.command(set)) } as CliJob,
    runs: [] as TimedRun[],
    busy: [] as number[],
  }));
  const name = (job: (typeof jobs)[number], run: string) => `${job.tool.id}-${job.set.id}-${run}`;
  for (const job of jobs) {
    const run = await runTimed(job.tool.command(job.set), {
      cwd: options.cwd,
      outDir: options.outDir,
      name: name(job, 'warmup'),
      timeoutMs: 120_000,
      gnuTime: options.gnuTime,
    });
    const problem = failure(run, job.tool);
    if (problem) {
      job.result.status = 'failed';
      job.result.reason = problem;
      job.result.peakRssMb = summarize([run.peakRssMb], 1);
      options.log(`  ${job.tool.id} on ${job.set.label}: FAILED (${problem})`);
    } else {
      job.result.runs = run.wallSeconds < 10 ? options.runs : 3;
      job.result.findings = job.tool.findings(fs.readFileSync(run.stdoutFile, 'utf8'));
      options.log(`  ${job.tool.id} on ${job.set.label}: warm-up ${round(run.wallSeconds, 2)} s, ${job.result.findings} findings`);
    }
  }
  const rounds = Math.max(0, ...jobs.map((job) => job.result.runs ?? 0));
  for (let index = 0; index < rounds; index++) {
    for (const job of jobs) {
      if (job.result.status !== 'ok' || index >= job.result.runs!) continue;
      const window = busyWindow();
      const run = await runTimed(job.tool.command(job.set), {
        cwd: options.cwd,
        outDir: options.outDir,
        name: name(job, 'run'),
        timeoutMs: 120_000,
        gnuTime: options.gnuTime,
      });
      const busy = window.stop();
      const problem = failure(run, job.tool);
      if (problem) {
        job.result.status = 'failed';
        job.result.reason = `run ${index + 1}: ${problem}`;
        continue;
      }
      job.runs.push(run);
      job.busy.push(busy.busyCores - run.cpuSeconds / run.wallSeconds);
    }
    options.log(`  round ${index + 1}/${rounds} done`);
  }
  for (const job of jobs) {
    if (!job.runs.length) continue;
    job.result.wallSeconds = summarize(job.runs.map((run) => run.wallSeconds));
    job.result.cpuSeconds = summarize(job.runs.map((run) => run.cpuSeconds));
    job.result.peakRssMb = summarize(
      job.runs.map((run) => run.peakRssMb),
      1,
    );
    job.result.exitCodes = [...new Set(job.runs.map((run) => run.exitCode ?? -1))];
    const busy = job.busy.filter((value) => Number.isFinite(value));
    job.result.otherBusyCores = busy.length ? round(Math.max(0, busy.reduce((a, b) => a + b, 0) / busy.length), 2) : undefined;
  }
  return jobs.map((job) => job.result);
}
