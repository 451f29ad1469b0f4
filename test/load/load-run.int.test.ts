import { describe, expect, it } from 'vitest';
import { loadFigures } from '../bench/load/figures.ts';
import { LOAD_QUICK, loadRun, type LoadSize } from '../bench/load/load-bench.ts';
import { requireNats, testNatsUrl } from '../support/nats.ts';
import { requirePgBouncer } from '../support/pgbouncer.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';

const ready = (await requirePostgres('test/load/load-run (load harness on PostgreSQL)')) && (await requireNats('test/load/load-run (load harness with NATS)'));
const pgbouncerHere = requirePgBouncer('test/load/load-run (its PgBouncer saturation figure)');

/**
 * The load harness itself, end to end at toy size: real server processes on PostgreSQL and
 * NATS, one load client process, 2 tenants x 2 workstations plus one workstation with a
 * token the server never issued. Asserts the figures exist and the planted failure is
 * counted; never how fast anything was.
 */
const TINY: LoadSize = {
  ...LOAD_QUICK,
  tenants: 2,
  devicesPerTenant: 2,
  scaling: { small: 2, large: 3, rounds: 2 },
  clients: 1,
  connectWidth: 4,
  stepSeconds: 1,
  pushRates: [5],
  pullRates: [5],
  mixed: { pushPerS: 4, seconds: 1 },
  closedLoop: { concurrency: 2, seconds: 1 },
  rlsRounds: 1,
  brokenDevices: 1,
  embedded: false,
};

describe.skipIf(!ready)('load harness (npm run bench -- load), at toy size', () => {
  it('produces every load figure and counts a refused workstation as an error', { timeout: 240_000 }, async () => {
    const results = await loadRun(TINY, testPostgresUrl(), testNatsUrl());
    const figures = Object.fromEntries(loadFigures(results).map((figure) => [figure.name, figure]));
    for (const name of ['load_devices', 'load_tenants', 'load_push_per_s', 'load_pull_per_s', 'load_p99_ms', 'load_errors', 'load_rate_limited', 'load_two_process_speedup', 'rls_overhead_ratio', 'tenant_scaling_ratio']) {
      expect(figures[name], name).toBeDefined();
    }
    // The four real workstations stay connected; the one with a forged token is refused and counted.
    expect(results.connect.connected).toBe(4);
    expect(results.connect.failed).toBe(1);
    expect(figures.load_devices!.value).toBe(4);
    expect(figures.load_tenants!.value).toBe(2);
    expect(figures.load_errors!.value).toBeGreaterThanOrEqual(1);
    expect(results.connect.connect.errors).toBe(1);
    // Pushes reached the server and poked the other workstations of the org.
    expect(results.pushSteps[0]!.run.push.ok).toBeGreaterThan(0);
    expect(results.pullSteps[0]!.run.pull.ok).toBeGreaterThan(0);
    expect(results.mixed.pokes).toBeGreaterThan(0);
    // Both server processes served the balanced saturation run.
    expect(results.balancedConnections.every((n) => n > 0)).toBe(true);
    expect(results.twoProcesses.push.ok + results.twoProcesses.pull.ok).toBeGreaterThan(0);
    if (pgbouncerHere) {
      expect(figures.load_pgbouncer_ratio?.value, 'load_pgbouncer_ratio').toBeGreaterThan(0);
      expect(results.pooled!.pooled.push.ok + results.pooled!.pooled.pull.ok).toBeGreaterThan(0);
      expect(results.pooled!.pooled.push.errors + results.pooled!.pooled.pull.errors).toBe(0);
    }
    expect(figures.rls_overhead_ratio!.value).toBeGreaterThan(0);
    expect(figures.tenant_scaling_ratio!.value).toBeGreaterThan(0);
  });
});
