// Reading a process's CPU time and memory from /proc, so the manager, the Mesos test double and the load generator
// are measured apart without any endpoint in the code under test. Linux only (the benchmarks run on Linux).
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';

/** Clock ticks per second for /proc/<pid>/stat's utime and stime (100 on every Linux we run on, but ask). */
const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** User + system CPU seconds since the process started. */
  readonly cpuSeconds: number;
  /** Resident set size now, bytes. */
  readonly rssBytes: number;
  /** Peak resident set size (VmHWM) since start or since the last resetPeak, bytes. */
  readonly peakRssBytes: number;
}

export function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: the fields that follow start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
  const cpuSeconds = (Number(fields[11]) + Number(fields[12])) / TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { cpuSeconds, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}

/**
 * Resets VmHWM to the current RSS (writing 5 to clear_refs), so a phase's peak is its own. Needs the process to be
 * ours (or root); where the kernel refuses, the peak stays the peak since start, which the report says.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU and RSS of this process (the load generator), in the same units. */
export function self(): ProcSample {
  return sample(process.pid);
}

/** The machine's load averages and its CPU count, for the report: the figures mean little without them. */
export function machineLoad(): { load1: number; load5: number; load15: number; cpus: number } {
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  return { load1, load5, load15, cpus: availableParallelism() };
}
