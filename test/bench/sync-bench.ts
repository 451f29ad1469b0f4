import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSyncServer } from '../../sync-server/server.ts';
import { freshDatabase, testEngines, type TestEngine } from '../../sync-server/testing/engines.ts';
import { startTcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import { CLINIC_FULL, clinicAtScale, loadClinic, type ClinicSize } from './clinic-generator.ts';
import { startDesk, type DeskHandle } from './desk-handle.ts';
import type { BootstrapResult, SignInArgs } from './desk-protocol.ts';
import type { Figure } from './report.ts';

/**
 * The sync engine at clinic scale, end to end on one machine: a real server (in this
 * process, over HTTP and WebSocket, on PGlite and on PostgreSQL) loaded with a generated
 * clinic, and real encrypted workstations, each in its own process as on a real desk.
 * Measures the first download against the local insert ceiling, live desk-to-desk
 * propagation, the replay of an offline burst, and the client's peak memory.
 */
export interface SyncBenchSize {
  clinic: ClinicSize;
  /** Sequential changes timed from desk A to desk B. */
  propagationChanges: number;
  /** Mutations made offline on desk A, then replayed. */
  offlineMutations: number;
  seed: string;
}

export const SYNC_BENCH_FULL: SyncBenchSize = { clinic: CLINIC_FULL, propagationChanges: 200, offlineMutations: 10_000, seed: 'clinicsync-bench-1' };
export const SYNC_BENCH_QUICK: SyncBenchSize = { ...SYNC_BENCH_FULL, clinic: clinicAtScale(10) };

const ORG = 'syncbench';
const USERNAME = 'benchdesk';
const PROPAGATION_WARMUP = 5;

/** PGlite always; PostgreSQL when reachable (a printed note otherwise, as the audit bench does). */
export async function syncBenchOnEngines(size: SyncBenchSize, only?: string): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const engine of testEngines((await probePostgres()).available, testPostgresUrl())) {
    if (only !== undefined && engine.name !== only) continue;
    if (engine.available) figures.push(...(await syncBench(engine, size)));
    else console.error(`bench sync: PostgreSQL not reachable at ${testPostgresUrl()}; measured PGlite only`);
  }
  return figures;
}

export async function syncBench(engine: TestEngine, size: SyncBenchSize): Promise<Figure[]> {
  const on = engine.name;
  const log = (line: string) => console.error(`bench sync ${on}: ${line}`);
  const db = await freshDatabase(engine);
  const server = await startSyncServer({ port: 0, database: db.options, seedDemo: false });
  const proxy = await startTcpRelay(server.url);
  const dirs: string[] = [];
  const desks: DeskHandle[] = [];
  // A throwaway bench credential, created here and gone with the database.
  const password = randomBytes(18).toString('base64url');
  const signIn = (name: string, serverUrl: string): SignInArgs => {
    const dataDir = mkdtempSync(join(tmpdir(), `clinicsync-bench-${name}-`));
    dirs.push(dataDir);
    return { dataDir, serverUrl, org: ORG, username: USERNAME, password, name };
  };
  const desk = async (name: string) => {
    const handle = await startDesk(name);
    desks.push(handle);
    return handle;
  };
  try {
    const { tenantId } = await server.admin.createTenant({ code: ORG, name: 'Sync bench clinic' });
    await server.admin.createUser({ tenantId, username: USERNAME, password, displayName: 'Bench Desk', role: 'clinician' }); // reads every synced domain, clinical included
    const loadStart = performance.now();
    const loaded = await loadClinic(server, tenantId, size.clinic, size.seed);
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const rows = loaded.reduce((sum, entity) => sum + entity.rows, 0);
    const what = loaded.map((entity) => `${entity.rows} ${entity.entity}s`).join(' + ');
    log(`clinic loaded (${what}) in ${loadSeconds.toFixed(1)} s`);

    // 1. Initial sync: a fresh encrypted desk in its own process, from sign-in until
    //    syncNow() is done; its peak RSS (VmHWM) is the client's alone.
    const deskB = await desk('desk-b');
    const initial = await deskB.run<BootstrapResult>({ cmd: 'bootstrap', args: signIn('desk-b', server.url) });
    const clientPeakRss = deskB.peakRssMb();
    expectRows(initial.counts, loaded);
    log(`initial sync ${initial.seconds.toFixed(1)} s, peak RSS ${clientPeakRss.toFixed(0)} MB (at the end: V8 heap ${initial.heapMb.toFixed(0)} MB, buffers ${initial.externalMb.toFixed(0)} MB)`);

    // 2. The ceiling: the same pull pages applied to a fresh encrypted store, no network.
    const ceilingDesk = await desk('ceiling');
    const ceiling = await ceilingDesk.run<{ seconds: number; rows: number }>({ cmd: 'insertLimit', args: signIn('ceiling', server.url) });
    await ceilingDesk.stop();
    if (ceiling.rows !== rows) throw new Error(`sync bench: the ceiling run applied ${ceiling.rows} rows, expected ${rows}`);
    log(`insert ceiling ${ceiling.seconds.toFixed(1)} s`);

    const figures: Figure[] = [
      { name: `clinic_rows_${on}`, value: rows, unit: 'rows', note: what },
      { name: `clinic_load_s_${on}`, value: loadSeconds, unit: 's', note: 'generating the clinic into the server (set-based SQL into tables and change feeds)' },
      { name: `initial_sync_s_${on}`, value: initial.seconds, unit: 's', note: 'fresh encrypted desk (own process): the download, from sign-in done (engine started) to syncNow() done' },
      { name: `initial_sync_sign_in_s_${on}`, value: initial.signInSeconds, unit: 's', note: 'before it: sign-in (server password check, keystore key derivation, store create)' },
      { name: `initial_sync_with_sign_in_s_${on}`, value: initial.signInSeconds + initial.seconds, unit: 's', note: 'what the person waits on a new desk: both' },
      { name: `initial_sync_rows_per_s_${on}`, value: rows / initial.seconds, unit: 'rows/s', note: 'rows landed in the encrypted store per second' },
      { name: `encrypted_insert_rows_per_s_${on}`, value: rows / ceiling.seconds, unit: 'rows/s', note: 'the same pull pages applied (merge path) to a fresh encrypted store, no network: the local limit' },
      { name: `initial_sync_vs_insert_limit_${on}`, value: ceiling.seconds / initial.seconds, unit: 'ratio', note: 'sync rate / local insert rate (target >= 0.5)' },
      { name: `client_peak_rss_mb_${on}`, value: clientPeakRss, unit: 'MB', note: 'peak RSS (VmHWM) of the desk process over sign-in + initial sync (target <= 400)' },
    ];

    // 3. Propagation: desk A (through the relay) creates, desk B (live, poked) has it.
    const deskA = await desk('desk-a');
    await deskA.run<BootstrapResult>({ cmd: 'bootstrap', args: signIn('desk-a', proxy.url) });
    const times: number[] = [];
    for (let i = 0; i < PROPAGATION_WARMUP + size.propagationChanges; i++) {
      const mrn = `PR-${i}`;
      await deskB.run({ cmd: 'watch', mrn });
      const created = await deskA.run<{ at: number }>({ cmd: 'create', mrn });
      const seen = await deskB.run<{ at: number }>({ cmd: 'seen', mrn });
      if (i >= PROPAGATION_WARMUP) times.push(seen.at - created.at);
    }
    times.sort((a, b) => a - b);
    log(`propagation p50 ${percentile(times, 0.5).toFixed(1)} ms, p95 ${percentile(times, 0.95).toFixed(1)} ms`);
    figures.push(
      { name: `propagation_p50_ms_${on}`, value: percentile(times, 0.5), unit: 'ms', note: `${size.propagationChanges} sequential patient creates, A's create call to B's store having the row (live, poked)` },
      { name: `propagation_p95_ms_${on}`, value: percentile(times, 0.95), unit: 'ms', note: 'the same, 95th percentile (target <= 50 on loopback)' },
    );

    // 4. Offline burst: A's link is cut, A queues mutations, the link returns.
    proxy.down();
    const burst = await deskA.run<{ pending: number }>({ cmd: 'offlineBurst', count: size.offlineMutations, tag: on });
    if (burst.pending < size.offlineMutations) throw new Error(`sync bench: only ${burst.pending} changes pending after the offline burst`);
    proxy.up();
    const replay = await deskA.run<{ seconds: number | null; syncNowSeconds: number; pending: number }>({ cmd: 'replay' });
    if (replay.pending !== 0 || replay.seconds === null) throw new Error(`sync bench: ${replay.pending} changes still pending after the replay`);
    log(`offline replay ${replay.seconds.toFixed(2)} s (syncNow ${replay.syncNowSeconds.toFixed(2)} s)`);
    const replayName = size.offlineMutations === 10_000 ? 'offline_replay_10k_s' : `offline_replay_${size.offlineMutations}_s`;
    figures.push(
      { name: `${replayName}_${on}`, value: replay.seconds, unit: 's', note: `${size.offlineMutations} offline patient creates: reconnect syncNow() until every one is acknowledged (target <= 2)` },
      { name: `offline_replay_sync_now_s_${on}`, value: replay.syncNowSeconds, unit: 's', note: 'the same syncNow() to its end (it then pulls the changes back)' },
    );
    return figures;
  } finally {
    for (const handle of desks) await handle.stop().catch(() => undefined);
    await proxy.close();
    await server.close();
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function expectRows(counts: Record<string, number>, loaded: readonly { entity: string; rows: number }[]): void {
  for (const { entity, rows } of loaded) {
    if (counts[entity] !== rows) throw new Error(`sync bench: the initial sync landed ${counts[entity]} ${entity} rows, expected ${rows}`);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}
