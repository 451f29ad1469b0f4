import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import { createSyncTransport, signInToServer } from '../../electron/sync/transport.ts';
import { createWorkstation, type Workstation } from '../../electron/workstation.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { freshDatabase, testEngines, type TestEngine } from '../../sync-server/testing/engines.ts';
import { probePostgres, testPostgresUrl } from '../support/postgres.ts';
import type { Figure } from './report.ts';
import { seedOrg, syncBenchData } from './sync-data.ts';
import { startTcpRelay } from '../../electron/test-support/tcp-relay.ts';

/**
 * What syncs today (patients and appointments), end to end on one machine: a real server
 * (in process, over HTTP and WebSocket) and real encrypted workstations. The initial
 * download against inserting the same pages into an encrypted store alone (the ceiling),
 * desk-to-desk propagation with pokes, and the replay of an offline burst.
 */
export interface SyncBenchSize {
  patients: number;
  propagationChanges: number;
  offlinePatients: number;
}

export const SYNC_BENCH_FULL: SyncBenchSize = { patients: 5_000, propagationChanges: 50, offlinePatients: 2_000 };
export const SYNC_BENCH_QUICK: SyncBenchSize = { patients: 500, propagationChanges: 20, offlinePatients: 200 };

const ORG = 'syncbench';
const USERNAME = 'benchdesk';
const PROPAGATION_TIMEOUT_MS = 30_000;

/** PGlite always; PostgreSQL when reachable (a printed note otherwise, as the audit bench does). */
export async function syncBenchOnEngines(size: SyncBenchSize): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const engine of testEngines((await probePostgres()).available, testPostgresUrl())) {
    if (engine.available) figures.push(...(await syncBench(engine, size)));
    else console.error(`bench sync: PostgreSQL not reachable at ${testPostgresUrl()}; measured PGlite only`);
  }
  return figures;
}

interface Desk {
  workstation: Workstation;
  close(): Promise<void>;
}

export async function syncBench(engine: TestEngine, size: SyncBenchSize): Promise<Figure[]> {
  const db = await freshDatabase(engine);
  const server = await startSyncServer({ port: 0, database: db.options, seedDemo: false });
  const dirs: string[] = [];
  const desks: Desk[] = [];
  const proxy = await startTcpRelay(server.url);
  // A throwaway bench credential, created here and gone with the database.
  const password = randomBytes(18).toString('base64url');
  const openDesk = async (name: string, serverUrl: string): Promise<Desk> => {
    const dataDir = mkdtempSync(join(tmpdir(), `clinicsync-bench-${name}-`));
    dirs.push(dataDir);
    const keystore = createFileKeystore({ dir: join(dataDir, 'keys'), passphrase: 'bench-keystore-passphrase', log: () => {} });
    const workstation = createWorkstation({ dataDir, serverUrl, keystore, deviceName: name, log: () => {} });
    const desk = { workstation, close: () => workstation.close() };
    desks.push(desk);
    await workstation.caller.session.signIn({ org: ORG, username: USERNAME, password });
    return desk;
  };
  try {
    const { tenantId } = await server.admin.createTenant({ code: ORG, name: 'Sync bench clinic' });
    await server.admin.createUser({ tenantId, username: USERNAME, password, displayName: 'Bench Desk', role: 'front_desk' });
    const data = syncBenchData(size.patients);
    await seedOrg(server, tenantId, data);
    const rows = data.patients.length + data.appointments.length;
    const on = engine.name;
    const figures: Figure[] = [];

    // 1. Initial sync: a fresh encrypted desk, from sign-in until syncNow() is done.
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const syncStart = performance.now();
    const fresh = await openDesk('initial', server.url);
    const signInSeconds = (performance.now() - syncStart) / 1000;
    await fresh.workstation.syncNow();
    const syncSeconds = (performance.now() - syncStart) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    expectRows(fresh.workstation, data.patients.length, data.appointments.length);
    await fresh.close();

    // 2. The ceiling: the same pull pages applied to a fresh encrypted store, no network.
    const pages = await downloadPages(server, tenantId, password);
    const insertSeconds = applyToFreshStore(pages, tenantId, dirs);
    figures.push(
      { name: `initial_sync_s_${on}`, value: syncSeconds, unit: 's', note: `${size.patients} patients + ${data.appointments.length} appointments, sign-in to syncNow() done` },
      { name: `initial_sync_sign_in_s_${on}`, value: signInSeconds, unit: 's', note: 'of which: sign-in (password check, keystore, store create; the engine starts pulling too)' },
      { name: `initial_sync_rows_per_s_${on}`, value: rows / syncSeconds, unit: 'rows/s', note: 'rows landed in the encrypted store per second' },
      { name: `encrypted_insert_rows_per_s_${on}`, value: rows / insertSeconds, unit: 'rows/s', note: 'the same pull pages applied (merge path) to a fresh encrypted store, no network' },
      { name: `initial_sync_vs_insert_limit_${on}`, value: syncSeconds === 0 ? Number.NaN : insertSeconds / syncSeconds, unit: 'ratio', note: 'sync rate / local insert rate (1 = network and server cost nothing)' },
      { name: `client_peak_rss_mb_${on}`, value: peakRss / 1e6, unit: 'MB', note: 'bench process RSS during the initial sync (it hosts the server too)' },
    );

    // 3. Propagation: desk A (through the relay) creates, desk B (live, poked) has it.
    const deskA = await openDesk('desk-a', proxy.url);
    const deskB = await openDesk('desk-b', server.url);
    await deskA.workstation.syncNow();
    await deskB.workstation.syncNow();
    await propagate(deskA, deskB, 'warmup'); // B's poke subscription is up before timing
    const times: number[] = [];
    for (let i = 0; i < size.propagationChanges; i++) times.push(await propagate(deskA, deskB, `p${i}`));
    times.sort((a, b) => a - b);
    figures.push(
      { name: `propagation_p50_ms_${on}`, value: percentile(times, 0.5), unit: 'ms', note: `${size.propagationChanges} sequential patient creates, A's create call to B's store having the row` },
      { name: `propagation_p95_ms_${on}`, value: percentile(times, 0.95), unit: 'ms', note: 'the same, 95th percentile' },
    );

    // 4. Offline burst: A's connection is cut, A registers patients, the link returns.
    proxy.down();
    for (let i = 0; i < size.offlinePatients; i++) {
      await deskA.workstation.caller.patients.create({ givenName: 'Offline', familyName: `Burst${i % 97}`, birthDate: '1990-01-01', sex: 'unknown', phone: '', mrn: `OB-${i}` });
    }
    const pendingOffline = (await deskA.workstation.caller.sync.status()).pending;
    if (pendingOffline < size.offlinePatients) throw new Error(`sync bench: only ${pendingOffline} changes pending after the offline burst`);
    proxy.up();
    const replayStart = performance.now();
    await deskA.workstation.syncNow();
    const pendingAfter = (await deskA.workstation.caller.sync.status()).pending;
    const replaySeconds = (performance.now() - replayStart) / 1000;
    if (pendingAfter !== 0) throw new Error(`sync bench: ${pendingAfter} changes still pending after the replay`);
    figures.push({
      name: `offline_replay_${size.offlinePatients}_s_${on}`,
      value: replaySeconds,
      unit: 's',
      note: `syncNow() after reconnect until pending = 0 (${size.offlinePatients} patients made offline)`,
    });
    return figures;
  } finally {
    for (const desk of desks) await desk.close().catch(() => undefined);
    await proxy.close();
    await server.close();
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

function expectRows(workstation: Workstation, patients: number, appointments: number): void {
  const db = workstation.store().db;
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  if (count('patients') !== patients || count('appointments') !== appointments) {
    throw new Error(`sync bench: the initial sync landed ${count('patients')} patients / ${count('appointments')} appointments, expected ${patients} / ${appointments}`);
  }
}

/** Every pull page of the org, as the engine asks for them (1,000 changes a page). */
async function downloadPages(server: SyncServerHandle, tenantId: string, password: string): Promise<PullPage[]> {
  const session = await signInToServer(server.url, { protocolVersion: PROTOCOL_VERSION, org: ORG, username: USERNAME, password, deviceId: uuidv7(), deviceName: 'bench-pages' });
  const transport = createSyncTransport(server.url, { tenantId: session.tenantId, token: session.token });
  if (session.tenantId !== tenantId) throw new Error('sync bench: signed in to the wrong org');
  const pages: PullPage[] = [];
  try {
    for (const domain of SYNCED_DOMAINS) {
      let cursor = '0';
      for (;;) {
        const page = await transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor, limit: 1_000 });
        pages.push(page);
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
    }
  } finally {
    await transport.close();
  }
  return pages;
}

/** Seconds to apply `pages` to a new encrypted store (open excluded). */
function applyToFreshStore(pages: readonly PullPage[], tenantId: string, dirs: string[]): number {
  const dir = mkdtempSync(join(tmpdir(), 'clinicsync-bench-insert-'));
  dirs.push(dir);
  const store = OrgStore.open({ path: join(dir, `${tenantId}.db`), key: randomBytes(32), tenantId, deviceId: uuidv7() });
  try {
    const start = performance.now();
    for (const page of pages) store.applyPage(page);
    return (performance.now() - start) / 1000;
  } finally {
    store.close();
  }
}

/** Ms from A's create call until B's store holds the row. */
async function propagate(a: Desk, b: Desk, tag: string): Promise<number> {
  const start = performance.now();
  const { id } = await a.workstation.caller.patients.create({ givenName: 'Prop', familyName: `Agate${tag}`, birthDate: '1985-06-15', sex: 'unknown', phone: '', mrn: `PR-${tag}` });
  for (;;) {
    if (b.workstation.store().db.prepare('SELECT 1 FROM patients WHERE id = ?').get(id)) return performance.now() - start;
    if (performance.now() - start > PROPAGATION_TIMEOUT_MS) throw new Error(`sync bench: change ${tag} did not reach desk B within ${PROPAGATION_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}
