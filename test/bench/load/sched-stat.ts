import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time a process has run, and time it was runnable but waited for a CPU (the run
 * queue), summed over its threads, in ms, from /proc/<pid>/task/<tid>/schedstat (Linux).
 * On a shared machine a process can sit at low CPU % because it is waiting for a core,
 * not for I/O: the run-queue time tells the two apart. Zeros when unreadable.
 */
export interface SchedStat {
  cpuMs: number;
  runQueueMs: number;
}

export function schedStat(pid: number): SchedStat {
  let cpuMs = 0;
  let runQueueMs = 0;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return { cpuMs: 0, runQueueMs: 0 };
  }
  for (const task of tasks) {
    try {
      const [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ').map(Number);
      cpuMs += (onCpuNs ?? 0) / 1e6;
      runQueueMs += (waitNs ?? 0) / 1e6;
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return { cpuMs, runQueueMs };
}

/** The sum over several processes (PostgreSQL's backends, one process per connection). */
export function schedStatOf(pids: readonly number[]): SchedStat {
  return pids.map(schedStat).reduce((a, b) => ({ cpuMs: a.cpuMs + b.cpuMs, runQueueMs: a.runQueueMs + b.runQueueMs }), { cpuMs: 0, runQueueMs: 0 });
}
