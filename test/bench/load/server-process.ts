import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A real sync server process: `node sync-server/main.ts` (what `npm run start:server`
 * runs), configured only through its CLINICSYNC_* environment (sync-server/config.ts), so
 * the load meets the server exactly as deployed. Resolves once the server has printed its
 * "listening on" line, with the time that took; reads its CPU and memory from /proc.
 */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Spawn to "listening", in seconds. */
  startSeconds: number;
  /** CPU seconds (user + system) the process has used so far. */
  cpuSeconds(): number;
  /** Resident memory now, and its peak (VmHWM), in MB. */
  rssMb(): { now: number; peak: number };
  /** SIGTERM (the server closes cleanly), SIGKILL after 15 s. */
  stop(): Promise<void>;
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_MAIN = fileURLToPath(new URL('../../../sync-server/main.ts', import.meta.url));
const START_TIMEOUT_MS = 120_000;
const CLOCK_TICKS_PER_S = 100; // Linux USER_HZ

/** The environment of a server on PostgreSQL + NATS for the load: no demo, no operator socket, port chosen by the OS. */
export function postgresServerEnv(input: { adminUrl: string; prefix: string; natsUrl: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    CLINICSYNC_DATABASE_URL: input.adminUrl,
    CLINICSYNC_DATABASE_PREFIX: input.prefix,
    CLINICSYNC_NATS_URL: input.natsUrl,
    CLINICSYNC_SEED_DEMO: '0',
    CLINICSYNC_OPERATOR_SOCKET: 'off',
    CLINICSYNC_PORT: '0',
    // The server's ceiling is measured, so rate limits (sync-server/limits/) are off unless the
    // caller's shell sets them (CLINICSYNC_LIMITS=on and CLINICSYNC_LIMIT_*): the tenant-scaling
    // probe alone calls one org far above its production rate.
    CLINICSYNC_LIMITS: 'off',
    ...Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[0].startsWith('CLINICSYNC_LIMIT') && entry[1] !== undefined)),
    ...input.extra,
  };
}

export async function startServerProcess(label: string, env: Record<string, string>): Promise<ServerProcess> {
  const started = performance.now();
  // Only the variables given: no CLINICSYNC_* setting of the caller's shell leaks in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CLINICSYNC_')));
  // LOAD_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server processes (NODE_OPTIONS may not carry --cpu-prof).
  const nodeArgs = (process.env.LOAD_SERVER_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  const child = spawn(process.execPath, [...nodeArgs, SERVER_MAIN], { cwd: REPO_ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderrTail = (stderrTail + chunk).slice(-4000)));
  // LOAD_SERVER_LOG_DIR=/tmp/x keeps each server's whole output (its JSON log, and what it printed as it died) in <dir>/<label>-<pid>.log.
  const logDir = process.env.LOAD_SERVER_LOG_DIR;
  if (logDir) {
    const file = createWriteStream(join(logDir, `${label}-${child.pid}.log`));
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`load bench: server ${label} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const onData = (chunk: string) => {
      stdout = (stdout + chunk).slice(-8000);
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    // The server logs one JSON line per event on stdout: keep reading, or it would block on a full pipe.
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`load bench: server ${label} exited (${String(code ?? signal)}) before serving: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await exited;
    throw error;
  });
  const startSeconds = (performance.now() - started) / 1000;
  let stopping = false;
  // A server that dies under load must say so loudly: its clients only see OFFLINE.
  child.once('exit', (code, signal) => {
    if (!stopping) console.error(`load bench: server ${label} exited (${String(code ?? signal)}) while serving: ${stderrTail.trim().split('\n').slice(-12).join('\n')}`);
  });
  return {
    url,
    pid: child.pid!,
    startSeconds,
    cpuSeconds: () => processCpuSeconds(child),
    rssMb: () => processRssMb(child),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function processCpuSeconds(child: ChildProcess): number {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}

function processRssMb(child: ChildProcess): { now: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { now: Number.NaN, peak: Number.NaN };
  }
}
