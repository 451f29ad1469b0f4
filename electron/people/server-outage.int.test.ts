import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePatient } from '../store/test-fixtures.ts';
import { freePort, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import type { Workstation } from '../workstation.ts';
import { createDesks, type Desk } from './testing/people-desks.ts';

const DAY = 86_400_000;
const REASON = 'Server down, patient collapsed at reception desk';

const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/people/server-outage.int.test.ts: sync-server/main.ts is not there yet');

/**
 * A real outage: the sync server process is stopped, the workstations carry on from their
 * own stores, and when the server is started again (same data, same port) offline work and
 * emergency-access entries reach it without anyone signing in again.
 */
describe.skipIf(!available)('people on the workstation: a server outage (real sync server stopped and restarted)', () => {
  const desks = createDesks();
  const serverDir = join(desks.desk('server').dataDir, 'server');
  let port: number;
  let server: SyncServerProcess;
  const password = (org: string) => server.demoPasswords.get(org) ?? '';
  const creds = (org: string, username = 'frontdesk') => ({ org, username, password: password(org) });

  let switcher: Desk;
  let ws: Workstation;
  let northside: string;
  let lakeview: string;
  let northsideCount: number;
  let emergencyDesk: Desk;
  let emergency: Workstation;
  let offlinePatientId: string;

  beforeAll(async () => {
    port = await freePort();
    server = await startSyncServerProcess({ port, dataDir: serverDir });
  });
  afterAll(async () => {
    await desks.cleanup();
    await server?.stop();
  });

  it('keeps one org store open at a time; with the server stopped, switching back is instant and shows only that org', async () => {
    switcher = desks.desk('switcher');
    ws = switcher.open(server.url);
    await ws.caller.session.signIn(creds('northside'));
    await ws.syncNow();
    northside = ws.currentTenantId()!;
    northsideCount = (await ws.caller.patients.list({ limit: 500 })).length;
    expect(northsideCount).toBeGreaterThanOrEqual(300);

    await ws.caller.session.signIn(creds('lakeview'));
    await ws.syncNow();
    lakeview = ws.currentTenantId()!;
    expect(lakeview).not.toBe(northside);
    const lakeviewMrns = (await ws.caller.patients.list({ limit: 500 })).map((p) => p.mrn);
    expect(lakeviewMrns.every((mrn) => mrn.startsWith('LV-'))).toBe(true);

    // A second desk's clinician signs in online once, for the emergency later.
    emergencyDesk = desks.desk('emergency');
    const once = emergencyDesk.open(server.url);
    await once.caller.session.signIn(creds('northside', 'clinician'));
    await once.close();

    await server.stop();

    const status = await ws.caller.session.signIn(creds('northside'));
    expect(status).toMatchObject({ state: 'signed_in', mode: 'offline', org: { tenantId: northside, code: 'northside' } });
    expect(ws.currentTenantId()).toBe(northside);
    // No download happened (the server is gone), yet everything is there, and only Northside.
    const patients = await ws.caller.patients.list({ limit: 500 });
    expect(patients.length).toBe(northsideCount);
    expect(patients.every((p) => p.mrn.startsWith('NS-'))).toBe(true);
    expect(await ws.caller.patients.list({ search: 'LV-' })).toEqual([]);
    // Lakeview's store is closed: its last connection checkpointed and removed the WAL file.
    expect(existsSync(ws.storePath(lakeview))).toBe(true);
    expect(existsSync(`${ws.storePath(lakeview)}-wal`)).toBe(false);
    expect(existsSync(`${ws.storePath(northside)}-wal`)).toBe(true);

    offlinePatientId = (await ws.caller.patients.create(samplePatient({ familyName: 'Outagefield', mrn: 'OUT-0001' }))).id;
    expect(await ws.caller.sync.status()).toMatchObject({ state: 'offline', pending: 1 });
  });

  it('gives emergency access during the outage to a person whose offline window has run out', async () => {
    emergencyDesk.clock.advance(8 * DAY);
    emergency = emergencyDesk.open(server.url);
    expect((await emergency.caller.session.signIn(creds('northside', 'clinician')).catch((e: { cause?: { code?: string } }) => e.cause?.code))).toBe('UNAUTHENTICATED');
    expect(await emergency.caller.session.breakGlass({ ...creds('northside', 'clinician'), reason: REASON })).toMatchObject({ mode: 'break_glass' });
  });

  it('when the server is back, the offline session signs in by itself and its work reaches the server', async () => {
    server = await startSyncServerProcess({ port, dataDir: serverDir });
    await expect.poll(async () => (await ws.caller.session.status()).mode, { timeout: 30_000, interval: 200 }).toBe('online');
    await ws.syncNow();
    expect(await ws.caller.sync.status()).toMatchObject({ online: true, pending: 0 });

    // Seen from another desk that was never offline: the patient is on the server.
    const witness = desks.desk('witness').open(server.url);
    await witness.caller.session.signIn(creds('northside', 'admin'));
    await witness.syncNow();
    expect((await witness.caller.patients.list({ search: 'Outagefield' })).map((p) => p.id)).toEqual([offlinePatientId]);
  });

  it('the emergency session goes online too, ends the emergency, and uploads its log entry after a good sync', async () => {
    await expect.poll(async () => (await emergency.caller.session.status()).mode, { timeout: 30_000, interval: 200 }).toBe('online');
    expect((await emergency.caller.session.status()).breakGlassEndsAt).toBeUndefined();
    await emergency.syncNow(); // a good cycle, then the pending entry goes up
    const rows = emergency.store().db.prepare('SELECT reason, uploaded_at FROM break_glass').all() as { reason: string; uploaded_at: string | null }[];
    expect(rows).toEqual([{ reason: REASON, uploaded_at: expect.any(String) }]);
  });
});
