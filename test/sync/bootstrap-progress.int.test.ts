import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { AppError } from '../../shared/errors.ts';
import type { BootstrapProgress } from '../../electron/sync/bootstrap-progress.ts';
import type { SyncEngine } from '../../electron/sync/engine.ts';
import type { SyncTransport } from '../../electron/sync/transport.ts';
import { tempDir } from '../../electron/test-support/temp-dir.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeClientSockets, createOrg, patientFields, signedIn } from '../../sync-server/testing/harness.ts';
import { openDesk, type Desk } from '../support/sync-desk.ts';

/**
 * First download (bootstrap) with progress (issue 5): rows done, rows total and time left
 * in SyncStatus, monotone, ending at the total with no time left; stopped half-way and
 * restarted, it goes on from where it stopped: the server's audit trail (one entry per
 * pull, with the cursor it was asked for) shows no page served twice.
 */
const PATIENTS = 2_500;
const PAGE = 250;

describe('bootstrap progress, and a bootstrap restarted where it stopped', () => {
  const dir = tempDir('clinicsync-bootstrap-');
  let server: SyncServerHandle;
  let org: Awaited<ReturnType<typeof createOrg>>;
  const desks: Desk[] = [];

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' } });
    org = await createOrg(server, 'bootstrapper');
    const { device } = await signedIn(server, { code: 'bootstrapper', username: org.username, password: org.password });
    for (let start = 0; start < PATIENTS; start += 500) {
      const batch = Array.from({ length: 500 }, (_, i) => device.mutation('patient', uuidv7(), patientFields({ mrn: `BS-${start + i}` })));
      const result = await device.push(...batch);
      expect(result.results.every((r) => r.status === 'applied')).toBe(true);
    }
  }, 120_000);
  afterAll(async () => {
    for (const desk of desks) await desk.close();
    await closeClientSockets();
    await server?.close();
    dir.remove();
  });

  /** A desk whose every pull first records the progress so far; `cutAt` makes that pull fail as a dropped connection would. */
  async function desk(seen: BootstrapProgress[], options: { cutAt?: number; deviceId?: string; key?: Buffer } = {}) {
    let engine: SyncEngine | undefined;
    let calls = 0;
    const opened = await openDesk({
      url: server.url,
      dir: dir.path,
      name: 'fresh',
      org: { code: 'bootstrapper', username: org.username, password: org.password },
      engine: { pullPageSize: PAGE },
      ...(options.deviceId ? { deviceId: options.deviceId } : {}),
      ...(options.key ? { key: options.key } : {}),
      wrap: (real): SyncTransport => ({
        ...real,
        pull: async (input, signal) => {
          calls += 1;
          const progress = engine?.status().bootstrap;
          if (progress) seen.push(progress);
          if (calls === options.cutAt) throw new AppError('OFFLINE', 'cut by the test');
          return real.pull(input, signal);
        },
      }),
    });
    engine = opened.engine;
    desks.push(opened);
    return opened;
  }

  it('reports monotone progress to the total, and resumes after a stop without fetching a page again', async () => {
    const seen: BootstrapProgress[] = [];
    const first = await desk(seen, { cutAt: 7 });
    await expect(first.engine.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    const stoppedAt = first.engine.status().bootstrap!;
    expect(stoppedAt).toMatchObject({ done: false });
    expect(stoppedAt.rowsDone).toBeGreaterThan(0);
    expect(stoppedAt.rowsDone).toBeLessThan(stoppedAt.rowsTotal);
    expect(stoppedAt.rowsTotal).toBeGreaterThanOrEqual(PATIENTS);
    const doneBeforeRestart = first.store.listPatients({ limit: 1000 }).length;

    // Restart: the store is closed and opened again by a new engine (a new session of the same device).
    await first.close();
    desks.splice(desks.indexOf(first), 1);
    const second = await desk(seen, { deviceId: first.deviceId, key: first.key });
    const resumedAt = second.engine.status().bootstrap!;
    expect(resumedAt).toMatchObject({ rowsDone: stoppedAt.rowsDone, rowsTotal: stoppedAt.rowsTotal, done: false, timeLeftMs: null });
    await second.engine.syncNow();
    const end = second.engine.status().bootstrap!;
    seen.push(end);

    expect(end).toMatchObject({ done: true, timeLeftMs: 0 });
    expect(end.rowsDone).toBe(end.rowsTotal);
    expect(second.store.db.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: PATIENTS });
    expect(doneBeforeRestart).toBeGreaterThan(0);

    // Monotone: rows done never go back, the total is known from the first page on and stays.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.rowsDone).toBeGreaterThanOrEqual(seen[i - 1]!.rowsDone);
    expect(new Set(seen.map((p) => p.rowsTotal))).toEqual(new Set([end.rowsTotal]));
    expect(seen.length).toBeGreaterThanOrEqual(PATIENTS / PAGE);
    const midway = seen.filter((p) => !p.done && p.timeLeftMs !== null);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.every((p) => p.timeLeftMs! >= 0)).toBe(true);

    // Server side: every page served once (the pull audit entry names the cursor it was asked for).
    const pulls = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'sync.pull', deviceId: first.deviceId, limit: 500 })).entries;
    // (An empty feed is asked again after the restart: it delivered nothing, so no page was sent twice.)
    const served = pulls.filter((entry) => entry.ids.length > 0).map((entry) => `${entry.detail['domain']}@${entry.detail['cursor']}`);
    expect(served.length).toBeGreaterThan(0);
    expect(new Set(served).size).toBe(served.length);
    expect(pulls.reduce((n, entry) => n + entry.ids.length, 0)).toBe(end.rowsDone);
    const patientPages = pulls.filter((entry) => entry.detail['domain'] === 'master_data');
    expect(patientPages).toHaveLength(PATIENTS / PAGE);
  }, 120_000);

  it('a later cycle is not a bootstrap: no count is asked, the progress stays finished', async () => {
    const d = desks.at(-1)!;
    const before = d.engine.status().bootstrap;
    await d.engine.syncNow();
    expect(d.engine.status().bootstrap).toEqual(before);
  });
});
