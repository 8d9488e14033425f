// The machine the bench runs on, and how busy it is: load average and the CPU time spent by every
// process (from /proc/stat), so that a measurement taken while someone else was busy can be told apart.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { round } from './stats';

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  date: string;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpu = /model name\s*:\s*(.*)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: os.cpus().length,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString(),
  };
}

export function loadAverage(): number[] {
  return os.loadavg().map((value) => round(value, 2));
}

/** Busy and total CPU ticks of the whole machine since boot. */
function cpuTicks(): { busy: number; total: number } {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    const busy = user + nice + system + irq + softirq + (steal ?? 0);
    return { busy, total: busy + idle + iowait };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Starts a window; stop() gives the average number of busy cores (all processes) over it. */
export function busyWindow(): { stop(): { seconds: number; busyCores: number; loadAverage: number[] } } {
  const start = cpuTicks();
  const started = performance.now();
  const load = loadAverage();
  return {
    stop() {
      const end = cpuTicks();
      const seconds = (performance.now() - started) / 1000;
      return { seconds: round(seconds, 2), busyCores: round((end.busy - start.busy) / TICKS_PER_SECOND / seconds, 2), loadAverage: load };
    },
  };
}

/** VmRSS and VmHWM of a process, in MB. */
export function processMemory(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: round(kb('VmRSS') / 1024, 1), hwmMb: round(kb('VmHWM') / 1024, 1) };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a running process has used so far. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Waits (up to maxSeconds) until the 1-minute load average drops under the threshold. */
export async function waitForQuiet(threshold: number, maxSeconds: number, log: (line: string) => void): Promise<number[]> {
  const deadline = Date.now() + maxSeconds * 1000;
  let load = loadAverage();
  if (load[0] <= threshold) return load;
  log(`load average ${load.join(' ')} is above ${threshold}; waiting up to ${maxSeconds} s for it to drop`);
  while (Date.now() < deadline && load[0] > threshold) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    load = loadAverage();
  }
  log(`measuring under load average ${load.join(' ')}`);
  return load;
}
