import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { freePort, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';

const ORG = 'northside';
const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/sync/engine.int.test.ts: sync-server/main.ts is not there yet');

describe.skipIf(!available)('workstation sync against the real sync server', () => {
  const dirs: string[] = [];
  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const serverDir = tempDir('clinicsync-server-');
  let port: number;
  let server: SyncServerProcess;
  const workstations: Workstation[] = [];

  async function signedInWorkstation(name: string): Promise<Workstation> {
    const dataDir = tempDir(`clinicsync-${name}-`);
    const keystore = createFileKeystore({ dir: join(dataDir, 'keys'), passphrase: 'int-test-passphrase', log: () => {} });
    const workstation = createWorkstation({ dataDir, serverUrl: server.url, keystore, deviceName: name });
    workstations.push(workstation);
    const status = await workstation.caller.session.signIn({ org: ORG, username: 'frontdesk', password: server.demoPasswords.get(ORG) ?? '' });
    expect(status).toMatchObject({ state: 'signed_in', org: { code: ORG }, user: { role: 'front_desk' } });
    return workstation;
  }

  beforeAll(async () => {
    port = await freePort();
    server = await startSyncServerProcess({ port, dataDir: serverDir });
  });

  afterAll(async () => {
    for (const workstation of workstations) await workstation.close();
    await server?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a patient created on one desk reaches a second desk of the same org, and offline writes push after a restart', async () => {
    const a = await signedInWorkstation('desk-a');
    const b = await signedInWorkstation('desk-b');
    const tenantId = a.currentTenantId();
    expect(tenantId).not.toBeNull();
    expect(b.currentTenantId()).toBe(tenantId);

    await a.syncNow(); // bootstrap: the demo org's patients arrive
    expect((await a.caller.patients.list({ limit: 500 })).length).toBeGreaterThan(0);

    const { id } = await a.caller.patients.create(samplePatient({ givenName: 'Intone', familyName: 'Syncwell', mrn: 'INT-0001' }));
    expect((await a.caller.sync.status()).pending).toBe(1);
    await a.syncNow();
    expect(await a.caller.sync.status()).toMatchObject({ state: expect.stringMatching(/^(idle|syncing)$/), online: true, pending: 0, lastError: null });
    await b.syncNow();
    const received = await b.caller.patients.list({ search: 'Syncwell' });
    expect(received).toEqual([expect.objectContaining({ id, givenName: 'Intone', mrn: 'INT-0001', pending: false })]);

    // The background loop may already be on its next cycle (woken by a poke), hence idle|syncing.
    // Server away: local writes still succeed, the status says offline.
    await server.stop();
    const offline = await a.caller.patients.create(samplePatient({ givenName: 'Offline', familyName: 'Syncwell', mrn: 'INT-0002' }));
    await expect(a.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(await a.caller.sync.status()).toMatchObject({ state: 'offline', online: false, pending: 1, lastError: { code: 'OFFLINE' } });
    expect(await a.caller.sync.now()).toMatchObject({ state: 'offline' });
    expect((await a.caller.patients.list({ search: 'Offline' }))[0]).toMatchObject({ id: offline.id, pending: true });

    // Back on the same data and port: the queued write is pushed and reaches desk B.
    server = await startSyncServerProcess({ port, dataDir: serverDir });
    await a.syncNow();
    expect(await a.caller.sync.status()).toMatchObject({ state: expect.stringMatching(/^(idle|syncing)$/), online: true, pending: 0 });
    await b.syncNow();
    expect((await b.caller.patients.list({ search: 'Offline' })).map((p) => p.id)).toEqual([offline.id]);
  });

  it('the live WebSocket subscription (pokes) brings a new patient to the other desk without polling or syncNow', async () => {
    const [a, b] = workstations as [Workstation, Workstation];
    const { id } = await a.caller.patients.create(samplePatient({ givenName: 'Poked', familyName: 'Syncwell', mrn: 'INT-0003' }));
    // A's loop is nudged by the write; B's poll interval is 30 s, so only a poke can be this quick.
    await expect.poll(async () => (await b.caller.patients.list({ search: 'Poked' })).map((p) => p.id), { timeout: 15_000, interval: 200 }).toEqual([id]);
  });

  it('switching org closes one store and opens the other; signing out locks the local API', async () => {
    const a = workstations[0]!;
    const northside = a.currentTenantId()!;
    const status = await a.caller.session.signIn({ org: 'lakeview', username: 'frontdesk', password: server.demoPasswords.get('lakeview') ?? '' });
    const lakeview = a.currentTenantId()!;
    expect(status.org).toMatchObject({ code: 'lakeview', tenantId: lakeview });
    expect(lakeview).not.toBe(northside);
    expect(a.storePath(lakeview)).not.toBe(a.storePath(northside));
    await a.syncNow();
    expect(await a.caller.patients.list({ search: 'Syncwell' })).toEqual([]); // the other org's patients stay in their store
    expect(await a.caller.session.signOut()).toMatchObject({ state: 'signed_out', org: null });
    await expect(a.caller.patients.list({})).rejects.toMatchObject({ cause: { code: 'STORE_LOCKED' } }); // server-side caller: the AppError is the cause
    expect(await a.caller.sync.status()).toMatchObject({ pending: 0, lastSyncedAt: null });
  });
});
