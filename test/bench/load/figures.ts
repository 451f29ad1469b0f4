import type { Figure } from '../report.ts';
import type { EmbeddedStart } from './embedded-start.ts';
import { LOAD_CLIENT_NICENESS } from './client-handle.ts';
import { POOLER_SERVER_CONNECTIONS, type PooledSaturation } from './pooled-saturation.ts';
import type { ClosedLoopOutcome, ConnectOutcome, MergedRun, RampStep } from './phases.ts';
import type { RlsOverhead } from './rls-overhead.ts';
import { bestSustained, mergeTallies, summarize, type LatencySummary, type Tally } from './stats.ts';

/** Everything the load run measured, before it becomes figures. */
export interface LoadResults {
  maxP99Ms: number;
  setup: { seconds: number; tenants: number; devices: number; scalingSeconds: number };
  connect: ConnectOutcome;
  pushSteps: RampStep[];
  pullSteps: RampStep[];
  catchUp: MergedRun;
  mixed: MergedRun & { offeredPushPerS: number };
  held: { devices: number; tenants: number };
  oneProcess: ClosedLoopOutcome;
  twoProcesses: ClosedLoopOutcome;
  balancedConnections: number[];
  /** Null when PgBouncer could not start here (the figure is left out, loudly). */
  pooled: PooledSaturation | null;
  rls: RlsOverhead;
  scaling: { small: number; large: number; atSmall: LatencySummary; atLarge: LatencySummary };
}

/** The figures of a PostgreSQL + NATS run, by the names issue 9 gives them (and a few that explain them). */
export function loadFigures(r: LoadResults): Figure[] {
  const push = bestSustained(r.pushSteps, r.maxP99Ms);
  const pull = bestSustained(r.pullSteps, r.maxP99Ms);
  const pastCapacity = (list: RampStep[], best: RampStep | null) => list.filter((step) => !sustainedSet(list, best).has(step));
  const counted: Tally[] = [
    r.connect.connect,
    ...[...sustainedSet(r.pushSteps, push)].map((s) => s.run.push),
    ...[...sustainedSet(r.pullSteps, pull)].map((s) => s.run.pull),
    r.catchUp.pokePull,
    r.mixed.push,
    r.mixed.pokePull,
    r.oneProcess.push,
    r.oneProcess.pull,
    r.twoProcesses.push,
    r.twoProcesses.pull,
    ...(r.pooled ? [r.pooled.pooled.push, r.pooled.pooled.pull, r.pooled.directAgain.push, r.pooled.directAgain.pull] : []),
  ];
  const all = mergeTallies(counted);
  const beyond = mergeTallies([...pastCapacity(r.pushSteps, push).map((s) => s.run.push), ...pastCapacity(r.pullSteps, pull).map((s) => s.run.pull)]);
  const sustainedP99 = summarize([...(push ? push.run.push.latencies : []), ...(pull ? pull.run.pull.latencies : [])]).p99;
  const mixedPokePulls = summarize(r.mixed.pokePull.latencies);
  const bestStep = push ?? r.pushSteps[0];
  const codes = Object.entries(all.errorCodes).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
  return [
    { name: 'load_setup_s', value: r.setup.seconds, unit: 's', note: `provisioning ${r.setup.tenants} tenants (small clinic each) and ${r.setup.devices} device sessions by direct service calls` },
    { name: 'load_devices', value: r.held.devices, unit: 'devices', note: `workstations with a live poke subscription on ONE server process, held through every phase (${r.connect.connected} connected in ${r.connect.seconds.toFixed(1)} s, ${r.connect.failed} failed; target >= 2000)` },
    { name: 'load_tenants', value: r.held.tenants, unit: 'tenants', note: 'orgs with at least one of them (target >= 200)' },
    { name: 'load_push_per_s', value: push?.achievedPerS ?? 0, unit: 'push/s', note: `small pushes (one new patient each) sustained, p99 ${fmt(push?.p99)} ms < ${r.maxP99Ms} (steps: ${steps(r.pushSteps)}; target >= 1000)` },
    { name: 'load_pull_per_s', value: pull?.achievedPerS ?? 0, unit: 'pull/s', note: `incremental pulls (one page from the device's cursor) sustained, p99 ${fmt(pull?.p99)} ms < ${r.maxP99Ms} (steps: ${steps(r.pullSteps)})` },
    { name: 'load_p99_ms', value: sustainedP99, unit: 'ms', note: 'p99 over the pushes and pulls of the two sustained steps above' },
    { name: 'load_errors', value: all.errors, unit: 'errors', note: `every phase within capacity (connect, sustained steps, poke catch-up, mixed, saturation): ${codes}; target 0` },
    { name: 'load_rate_limited', value: all.rateLimited + beyond.rateLimited, unit: 'answers', note: 'RATE_LIMITED answers (deliberate back-pressure), not counted as errors' },
    { name: 'load_errors_past_capacity', value: beyond.errors, unit: 'errors', note: 'failures in ramp steps beyond the sustained one (overload, expected)' },
    { name: 'load_push_server_cpu_pct', value: bestStep?.serverCpuPct ?? Number.NaN, unit: '% core', note: `the server process during the best sustained push step (else the first: ${bestStep?.offeredPerS ?? 'none'}/s offered); PostgreSQL and NATS not included` },
    { name: 'load_client_cpu_pct', value: bestStep ? (bestStep.run.clientCpuSeconds / bestStep.run.seconds) * 100 : Number.NaN, unit: '% core', note: `all load client processes together during that step (at nice ${LOAD_CLIENT_NICENESS}: what the server and PostgreSQL leave of the shared cores): the client is not the bottleneck while this stays well under 100 per process` },
    { name: 'load_mixed_poke_pull_per_s', value: r.mixed.pokePull.ok / r.mixed.seconds, unit: 'pull/s', note: `real engine behaviour: ${r.mixed.offeredPushPerS} pushes/s offered, every poked workstation of the org pulls at once (${r.mixed.pokes} pokes received)` },
    { name: 'load_mixed_p99_ms', value: Math.max(summarize(r.mixed.push.latencies).p99, mixedPokePulls.p99), unit: 'ms', note: 'p99 of that phase (pushes and poke-driven pulls)' },
    { name: 'load_two_process_speedup', value: r.twoProcesses.opsPerS / r.oneProcess.opsPerS, unit: 'ratio', note: `saturation throughput (push + pull) of 2 server processes behind a round-robin TCP balancer over 1 process: ${r.twoProcesses.opsPerS.toFixed(0)} / ${r.oneProcess.opsPerS.toFixed(0)} ops/s; same PostgreSQL and NATS, 2 cores shared with them and the clients (connections per process ${r.balancedConnections.join('/')})` },
    ...(r.pooled ? [pgbouncerFigure(r.oneProcess, r.pooled)] : []),
    { name: 'rls_overhead_ratio', value: r.rls.ratio, unit: 'ratio', note: `pull feed queries under forced RLS (app role) over the same as the owner without RLS, interleaved: ${r.rls.withRlsMs.toFixed(2)} / ${r.rls.withoutRlsMs.toFixed(2)} ms summed medians, ${r.rls.queries} queries (target <= 1.15)` },
    { name: 'tenant_scaling_ratio', value: r.scaling.atLarge.p95 / r.scaling.atSmall.p95, unit: 'ratio', note: `one tenant's pull p95 with ${r.scaling.large} tenants present over with ${r.scaling.small}: ${fmt(r.scaling.atLarge.p95)} / ${fmt(r.scaling.atSmall.p95)} ms (target <= 1.2; growing took ${r.setup.scalingSeconds.toFixed(1)} s)` },
  ];
}

export function embeddedFigures(e: EmbeddedStart): Figure[] {
  return [
    { name: 'embedded_server_start_s', value: e.startSeconds, unit: 's', note: 'npm run start:server with no database URL (PGlite, demo seed): a cold start of the process on its data folder, spawn to health answered (target <= 5)' },
    { name: 'embedded_server_first_start_s', value: e.firstStartSeconds, unit: 's', note: 'the first start ever, on an empty data folder: also creates and migrates the eight databases, seeds the demo, makes the vault key (once per install)' },
    { name: 'embedded_server_rss_mb', value: e.rssMb, unit: 'MB', note: `RSS of the cold-started process once serving (peak of both starts ${e.peakRssMb.toFixed(0)} MB; target <= 1000)` },
  ];
}

/** The steps up to and including the best sustained one that were themselves sustained (their errors count). */
function sustainedSet(steps: RampStep[], best: RampStep | null): Set<RampStep> {
  if (!best) return new Set();
  return new Set(steps.slice(0, steps.indexOf(best) + 1));
}

function steps(list: RampStep[]): string {
  return list.map((s) => `${s.offeredPerS}->${s.achievedPerS.toFixed(0)}/s p99 ${fmt(s.p99)}${s.errors ? ` ${s.errors} err` : ''}${s.shed ? ` ${s.shed} shed` : ''}`).join(', ');
}

function fmt(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(0);
}

/** Saturation through PgBouncer over direct, the direct figure being the mean of the runs before and after it. */
function pgbouncerFigure(direct: ClosedLoopOutcome, p: PooledSaturation): Figure {
  const directOps = (direct.opsPerS + p.directAgain.opsPerS) / 2;
  return {
    name: 'load_pgbouncer_ratio',
    value: p.pooled.opsPerS / directOps,
    unit: 'ratio',
    note: `saturation throughput (push + pull) of one server process with its request traffic through PgBouncer in transaction mode (${POOLER_SERVER_CONNECTIONS} server connections per database and role; unnamed statements) over the same process direct: ${p.pooled.opsPerS.toFixed(0)} / ${directOps.toFixed(0)} ops/s (direct ${direct.opsPerS.toFixed(0)} before, ${p.directAgain.opsPerS.toFixed(0)} after)`,
  };
}
