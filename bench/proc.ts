// Child processes: every one is registered so that the bench kills what is still running at the end
// (or on Ctrl-C), and whole-process runs are timed with GNU time for peak RSS and CPU time.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processMemory } from './machine';

const live = new Map<ChildProcess, { group: boolean }>();

/** Registers a child so that killAll() ends it (its whole process group when it leads one). */
export function track(child: ChildProcess, group = false): ChildProcess {
  live.set(child, { group });
  child.once('exit', () => live.delete(child));
  return child;
}

export function killAll(): void {
  for (const [child, { group }] of live) {
    try {
      if (group && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

const GNU_TIME = '/usr/bin/time';

/** Makes sure GNU time is there (Debian package `time`); false when it cannot be had. */
export function ensureGnuTime(log: (line: string) => void): boolean {
  const works = () => fs.existsSync(GNU_TIME) && spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
  if (works()) return true;
  log('/usr/bin/time is missing: installing the Debian package "time"');
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'ignore', timeout: 180_000 }).status === 0;
  if (apt(['install', '-y', '-q', 'time']) || (apt(['update', '-q']) && apt(['install', '-y', '-q', 'time']))) return works();
  log('could not install GNU time: peak RSS is sampled from /proc instead (less exact), CPU time is not measured');
  return false;
}

export interface TimedRun {
  wallSeconds: number;
  peakRssMb: number;
  cpuSeconds: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdoutFile: string;
  stderrHead: string;
}

export interface RunOptions {
  cwd: string;
  outDir: string;
  name: string;
  timeoutMs: number;
  gnuTime: boolean;
}

/** Runs a command to completion, stdout to a file, measuring wall time (hrtime), peak RSS and CPU time. */
export function runTimed(command: string[], options: RunOptions): Promise<TimedRun> {
  fs.mkdirSync(options.outDir, { recursive: true });
  const stdoutFile = path.join(options.outDir, `${options.name}.out`);
  const stderrFile = path.join(options.outDir, `${options.name}.err`);
  const timeFile = path.join(options.outDir, `${options.name}.time`);
  fs.rmSync(timeFile, { force: true });
  const stdout = fs.openSync(stdoutFile, 'w');
  const stderr = fs.openSync(stderrFile, 'w');
  const argv = options.gnuTime ? [GNU_TIME, '-f', 'BENCHTIME %e %M %U %S', '-o', timeFile, ...command] : command;
  return new Promise((resolve) => {
    const started = performance.now();
    // Its own process group, so that a timeout kills the tool and not only GNU time.
    const child = track(spawn(argv[0], argv.slice(1), { cwd: options.cwd, stdio: ['ignore', stdout, stderr], detached: true }), true);
    let sampledHwm = 0;
    const sampler = options.gnuTime
      ? undefined
      : setInterval(() => {
          sampledHwm = Math.max(sampledHwm, processMemory(child.pid!)?.hwmMb ?? 0);
        }, 10);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }, options.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null, error?: Error) => {
      const wallSeconds = (performance.now() - started) / 1000;
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      fs.closeSync(stdout);
      fs.closeSync(stderr);
      let peakRssMb = sampledHwm;
      let cpuSeconds = NaN;
      let exitCode = code;
      let signalName: string | null = signal;
      if (options.gnuTime && fs.existsSync(timeFile)) {
        const report = fs.readFileSync(timeFile, 'utf8');
        const line = /BENCHTIME (\S+) (\d+) (\S+) (\S+)/.exec(report);
        if (line) {
          peakRssMb = Number(line[2]) / 1024;
          cpuSeconds = Number(line[3]) + Number(line[4]);
        }
        const killed = /terminated by signal (\d+)/.exec(report);
        if (killed) {
          signalName = `signal ${killed[1]}`;
          exitCode = null;
        }
      }
      const stderrText = error ? String(error) : readHead(stderrFile, 600);
      resolve({ wallSeconds, peakRssMb, cpuSeconds, exitCode, signal: signalName, timedOut, stdoutFile, stderrHead: stderrText });
    };
    child.once('error', (error) => finish(null, null, error));
    child.once('exit', (code, signal) => finish(code, signal));
  });
}

export function readHead(file: string, bytes: number): string {
  try {
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(bytes);
    const read = fs.readSync(fd, buffer, 0, bytes, 0);
    fs.closeSync(fd);
    return buffer.subarray(0, read).toString('utf8').trim();
  } catch {
    return '';
  }
}

/** Resolves with the value, or rejects after ms with a message naming what was awaited. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
