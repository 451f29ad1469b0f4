import { parseArgs } from 'node:util';
import pg from 'pg';
import { testNatsUrl } from '../../support/nats.ts';
import type { RunningPgBouncer } from '../../support/pgbouncer.ts';
import { testPostgresUrl } from '../../support/postgres.ts';
import { POOLER_SERVER_CONNECTIONS, startDeploymentPgBouncer } from './pooled-saturation.ts';
import { addTenants, inParallel, openLoadDeployment, type DeviceSession } from './provision.ts';
import { schedStat, schedStatOf, type SchedStat } from './sched-stat.ts';
import { postgresServerEnv, startServerProcess, type ServerProcess } from './server-process.ts';
import { emptyTally, record, summarize, type Outcome, type Tally } from './stats.ts';
import { SimulatedWorkstation } from './workstation.ts';

/**
 * Where one server process's time goes under saturation (docs/scale.md, "Throughput"):
 *
 *   npx node test/bench/load/throughput-probe.ts [--tenants 20] [--devices 2] [--concurrency 32]
 *     [--seconds 6] [--rounds 3] [--modes push,pull] [--env '{"CLINICSYNC_DB_POOL_SIZE":"8"}' …] [--pgbouncer] [--listen]
 *
 * A fresh deployment as the load bench makes it; then, round after round, one real server
 * process per configuration (each --env adds one, the first is the baseline; none: the
 * defaults), limits off, and `concurrency` closed-loop workers doing only pushes, then only
 * pulls (an uncounted warm-up of a third as long first). Configurations alternate (ABBA…),
 * so a shared machine's changing load falls on all of them; the summary gives medians and
 * the ratio to the baseline. Per run it reports what PostgreSQL's connections were doing
 * (pg_stat_activity sampled every 20 ms: state, wait event, statement), and CPU per
 * operation of the server process and of PostgreSQL's backends, with the time they were
 * runnable but waiting for a core (/proc schedstat).
 *
 * `--listen`: every device also holds a poke subscription for the life of each server
 * process (pokes noted, not pulled, as the load bench's push steps do), so each push is
 * fanned out to its org's devices: with --devices 10, the poke cost of a clinic of ten desks.
 * The closed-loop workers are then the first `concurrency` of those desks, so their pushes
 * and pulls ride their poke sockets, as a subscribed desk's do; without it, workers of their
 * own with no subscription, over HTTP.
 *
 * `--pgbouncer` adds one configuration: the first one's settings with request traffic
 * through a private PgBouncer in transaction mode (CLINICSYNC_DATABASE_POOLER_URL;
 * test/support/pgbouncer.ts, POOLER_SERVER_CONNECTIONS per database and role), whose own
 * CPU is counted as the pooler's.
 */
const { values } = parseArgs({
  options: {
    tenants: { type: 'string', default: '20' },
    devices: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '6' },
    rounds: { type: 'string', default: '1' },
    modes: { type: 'string', default: 'push,pull' },
    env: { type: 'string', multiple: true, default: [] },
    pgbouncer: { type: 'boolean', default: false },
    listen: { type: 'boolean', default: false },
  },
});
const size = {
  tenants: whole('tenants', 1),
  devices: whole('devices', 1),
  concurrency: whole('concurrency', 1),
  seconds: whole('seconds', 1),
  rounds: whole('rounds', 1),
};
const modes = values.modes.split(',').map((mode) => {
  if (mode !== 'push' && mode !== 'pull') throw new Error(`throughput probe: --modes takes push and/or pull, got "${mode}"`);
  return mode;
});
const configs: Record<string, string>[] = values.env.length === 0 ? [{}] : values.env.map(parseEnv);

/** Listening workstations connecting at once (the load bench's connectWidth). */
const CONNECT_WIDTH = 100;

type Mode = 'push' | 'pull';
interface Run {
  config: number;
  mode: Mode;
  opsPerS: number;
  p50: number;
  p99: number;
  errors: number;
  serverCpuMsPerOp: number;
  pgCpuMsPerOp: number;
  /** PgBouncer's CPU per op (0 without it). */
  poolerCpuMsPerOp: number;
  /** This process's CPU per op: the closed-loop workstations (real sync transports) and the activity sampler. */
  clientsCpuMsPerOp: number;
  serverRunQueuePct: number;
}

const adminUrl = testPostgresUrl();
const deployment = await openLoadDeployment(adminUrl);
const runs: Run[] = [];
let bouncer: RunningPgBouncer | null = null;
try {
  const tenants = await addTenants(deployment, { from: 0, count: size.tenants, withDevices: size.tenants, devicesPerTenant: size.devices });
  const devices = tenants.flatMap((tenant) => tenant.devices);
  await deployment.core.close(); // its pools would count against max_connections
  log(`deployment ${deployment.prefix}: ${size.tenants} tenants, ${devices.length} sessions`);
  if (values.pgbouncer) {
    bouncer = await startDeploymentPgBouncer(adminUrl, deployment.prefix);
    configs.push({ ...configs[0], CLINICSYNC_DATABASE_POOLER_URL: bouncer.urlFor(adminUrl) });
    log(`config ${configs.length - 1}: config 0 through PgBouncer (transaction mode, ${POOLER_SERVER_CONNECTIONS} server connections per database and role)`);
  }
  for (let round = 0; round < size.rounds; round++) {
    // ABBA…: every other round in reverse order, so neither a configuration nor the data growing under the pushes favours one.
    const order = [...configs.entries()];
    if (round % 2 === 1) order.reverse();
    for (const [index, config] of order) {
      const server = await startServerProcess(`probe-${index}`, postgresServerEnv({ adminUrl, prefix: deployment.prefix, natsUrl: testNatsUrl(), extra: { CLINICSYNC_LIMITS: 'off', ...config } }));
      const listeners = values.listen ? devices.map((device) => new SimulatedWorkstation(server.url, device, () => undefined)) : [];
      try {
        for (const listener of listeners) listener.reaction = 'defer';
        // In waves, as the load bench's clients connect: 2,000 subscriptions and their first full pulls at once kept this
        // process's event loop busy past the server's 5 s pong wait, and the server dropped sockets (SUBSCRIPTION_ENDED).
        await inParallel(listeners.length, CONNECT_WIDTH, (i) => listeners[i]!.connect());
        for (const mode of modes) {
          await closedLoop(server, devices, listeners, mode, size.seconds / 3, null);
          const run = await closedLoop(server, devices, listeners, mode, size.seconds, index);
          runs.push(run);
        }
      } finally {
        await Promise.all(listeners.map((listener) => listener.close()));
        await server.stop();
      }
    }
  }
} finally {
  await bouncer?.stop();
  await deployment.drop();
}
summarizeRuns();

async function closedLoop(server: ServerProcess, devices: readonly DeviceSession[], listeners: readonly SimulatedWorkstation[], mode: Mode, seconds: number, config: number | null): Promise<Run> {
  const tally: Tally = emptyTally();
  const recorder = (_kind: unknown, ms: number, outcome: Outcome) => record(tally, ms, outcome);
  const own = listeners.length === 0;
  const workers = own
    ? Array.from({ length: size.concurrency }, (_, i) => new SimulatedWorkstation(server.url, devices[i % devices.length]!, recorder, { subscribe: false }))
    : Array.from({ length: size.concurrency }, (_, i) => listeners[i % listeners.length]!);
  for (const worker of workers) worker.recordOp = recorder;
  const backends = await backendPids();
  const sampling = config === null ? null : sampleActivity();
  const serverBefore = schedStat(server.pid);
  const pgBefore = schedStatOf(backends);
  const poolerBefore = bouncer ? schedStat(bouncer.pid) : null;
  const clientsBefore = schedStat(process.pid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    workers.map(async (worker) => {
      while (performance.now() < deadline) await (mode === 'push' ? worker.push() : worker.pull());
    }),
  );
  const wall = (performance.now() - started) / 1000;
  const serverUsed = since(schedStat(server.pid), serverBefore);
  const pgUsed = since(schedStatOf(backends), pgBefore);
  const poolerCpuMs = bouncer && poolerBefore ? since(schedStat(bouncer.pid), poolerBefore).cpuMs : 0;
  const clientsCpuMs = since(schedStat(process.pid), clientsBefore).cpuMs;
  const activity = await sampling?.stop();
  if (own) await Promise.all(workers.map((worker) => worker.close()));
  else for (const worker of workers) worker.recordOp = () => undefined;
  const ops = Math.max(tally.ok, 1);
  const latency = summarize(tally.latencies);
  const run: Run = {
    config: config ?? -1,
    mode,
    opsPerS: tally.ok / wall,
    p50: latency.p50,
    p99: latency.p99,
    errors: tally.errors,
    serverCpuMsPerOp: serverUsed.cpuMs / ops,
    pgCpuMsPerOp: pgUsed.cpuMs / ops,
    poolerCpuMsPerOp: poolerCpuMs / ops,
    clientsCpuMsPerOp: clientsCpuMs / ops,
    serverRunQueuePct: serverUsed.runQueueMs / wall / 10,
  };
  if (config !== null) {
    log(
      `config ${config} ${mode}: ${run.opsPerS.toFixed(0)}/s, p50 ${run.p50.toFixed(0)} ms, p99 ${run.p99.toFixed(0)} ms, ${run.errors} errors ${JSON.stringify(tally.errorCodes)}; ` +
        `CPU per op: server ${run.serverCpuMsPerOp.toFixed(2)} ms, PostgreSQL ${run.pgCpuMsPerOp.toFixed(2)} ms (${backends.length} backends)${bouncer ? `, PgBouncer ${run.poolerCpuMsPerOp.toFixed(2)} ms` : ''}, clients ${run.clientsCpuMsPerOp.toFixed(2)} ms; ` +
        `server on CPU ${(serverUsed.cpuMs / wall / 10).toFixed(0)} %, waiting for a CPU ${run.serverRunQueuePct.toFixed(0)} %`,
    );
    for (const [what, connections] of activity ?? []) log(`   ${connections.toFixed(2).padStart(6)} connections  ${what}`);
  }
  return run;
}

/** PostgreSQL's backends serving this deployment now (the pools stay open between phases). */
async function backendPids(): Promise<number[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname LIKE $1', [`${deployment.prefix}%`])).rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

/** Average number of the deployment's connections in each (role, state, wait event, statement), the 12 largest. */
function sampleActivity(): { stop(): Promise<[string, number][]> } {
  let stopping = false;
  const counts = new Map<string, number>();
  let samples = 0;
  const loop = (async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      while (!stopping) {
        const rows = await client.query<{ what: string; n: number }>(
          `SELECT concat_ws(' ', replace(usename, $2, ''), state, coalesce(wait_event_type || ':' || wait_event, '-'), left(regexp_replace(query, '\\s+', ' ', 'g'), 60)) AS what,
                  count(*)::int AS n
           FROM pg_stat_activity WHERE datname LIKE $1 GROUP BY 1`,
          [`${deployment.prefix}%`, deployment.prefix],
        );
        samples += 1;
        for (const row of rows.rows) counts.set(row.what, (counts.get(row.what) ?? 0) + row.n);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      await client.end();
    }
  })();
  return {
    stop: async () => {
      stopping = true;
      await loop;
      return [...counts.entries()]
        .map(([what, n]): [string, number] => [what, n / Math.max(samples, 1)])
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12);
    },
  };
}

function cpuPerOp(run: Run): number {
  return run.serverCpuMsPerOp + run.pgCpuMsPerOp + run.poolerCpuMsPerOp;
}

function summarizeRuns(): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  for (const mode of modes) {
    const base = runs.filter((run) => run.config === 0 && run.mode === mode);
    for (const [index, config] of configs.entries()) {
      const mine = runs.filter((run) => run.config === index && run.mode === mode);
      const ops = median(mine.map((run) => run.opsPerS));
      const cost = median(mine.map(cpuPerOp));
      const ratio = index === 0 ? '' : `; ×${(ops / median(base.map((run) => run.opsPerS))).toFixed(2)} ops/s, ×${(cost / median(base.map(cpuPerOp))).toFixed(2)} CPU per op vs config 0`;
      console.log(
        `${mode} config ${index} ${JSON.stringify(config)}: median ${ops.toFixed(0)}/s (runs ${mine.map((run) => run.opsPerS.toFixed(0)).join(', ')}), ` +
          `p99 ${median(mine.map((run) => run.p99)).toFixed(0)} ms, server + PostgreSQL (+ PgBouncer) CPU per op ${cost.toFixed(2)} ms${ratio}`,
      );
    }
  }
}

function since(now: SchedStat, before: SchedStat): SchedStat {
  return { cpuMs: now.cpuMs - before.cpuMs, runQueueMs: now.runQueueMs - before.runQueueMs };
}

function whole(name: keyof typeof values, min: number): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) throw new Error(`throughput probe: --${name} must be a whole number ≥ ${min}, got "${String(values[name])}"`);
  return value;
}

function parseEnv(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`throughput probe: --env takes a JSON object of CLINICSYNC_* variables, got ${text}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((v) => typeof v === 'string')) {
    throw new Error(`throughput probe: --env takes a JSON object of string values, got ${text}`);
  }
  return parsed as Record<string, string>;
}

function log(line: string): void {
  console.error(`throughput probe: ${line}`);
}
