import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim());
    ticksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/**
 * CPU time (user + system, seconds) a process has used so far, from /proc (Linux). Undefined when
 * it cannot be read. The delta over a run, divided by the run's wall time, is the cores it kept
 * busy: a target near its CPU share is saturated, one far below it is waiting on something else.
 */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks / clockTicks() : undefined;
  } catch {
    return undefined;
  }
}

/** Share of the machine's CPU time spent busy since the last call's snapshot, from /proc/stat. */
export function machineCpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

export interface CpuUse {
  /** Cores each watched process kept busy on average over the interval. */
  readonly coresByProcess: Record<string, number>;
  /** Busy share of the whole machine (all processes, everyone's) over the interval, 0..1. */
  readonly machineBusy: number;
}

/** Starts measuring the CPU of the named processes and of the machine; the returned function stops. */
export function watchCpu(pids: Readonly<Record<string, number | undefined>>): () => CpuUse {
  const startedAt = performance.now();
  const machineStart = machineCpuTimes();
  const start = Object.fromEntries(
    Object.entries(pids).map(([name, pid]) => [name, processCpuSeconds(pid)]),
  );
  return () => {
    const seconds = (performance.now() - startedAt) / 1000;
    const machineEnd = machineCpuTimes();
    const coresByProcess: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) {
      const before = start[name];
      const after = processCpuSeconds(pid);
      if (before !== undefined && after !== undefined && seconds > 0)
        coresByProcess[name] = (after - before) / seconds;
    }
    const machineBusy =
      machineStart && machineEnd && machineEnd.total > machineStart.total
        ? (machineEnd.busy - machineStart.busy) / (machineEnd.total - machineStart.total)
        : Number.NaN;
    return { coresByProcess, machineBusy };
  };
}
