import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSyncServer, type SyncServerHandle, type SyncServerOptions } from '../../sync-server/server.ts';
import { openWorkstation, removeDir, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 2, test 2: the server goes away, a desk keeps registering patients, the server
 * comes back on the same data and address: every patient arrives exactly once, on the
 * server and on the org's other desk.
 */
describe('offline: 100 patients created while the server is down', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clinicsync-server-'));
  let options: SyncServerOptions;
  let server: SyncServerHandle;
  let a1: TestWorkstation;
  let a2: TestWorkstation;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite', dataDir }, seedDemo: true });
    options = { port: server.port, database: { kind: 'pglite', dataDir }, seedDemo: true };
    a1 = await openWorkstation(server, 'offline-a1', 'northside');
    a2 = await openWorkstation(server, 'offline-a2', 'northside');
    await a1.workstation.syncNow();
    await a2.workstation.syncNow();
  });

  afterAll(async () => {
    await a1?.close();
    await a2?.close();
    await server?.close();
    for (const dir of [a1?.dataDir, a2?.dataDir, dataDir]) if (dir) removeDir(dir);
  });

  it('keeps working offline and delivers every write exactly once after the restart', async () => {
    const tenantId = a1.workstation.currentTenantId()!;
    const before = await server.admin.countRows({ domain: 'master_data', table: 'tenant_patients', tenantId });
    await server.close();

    await expect(a1.workstation.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const { id } = await a1.workstation.caller.patients.create({
        givenName: `Offline${String.fromCharCode(97 + (i % 26))}`,
        familyName: 'Outage',
        birthDate: '1990-01-01',
        sex: 'unknown',
        phone: '',
        mrn: `OFF-${i}`,
      });
      ids.push(id);
    }
    const status = await a1.workstation.caller.sync.status();
    expect(status.online).toBe(false);
    expect(status.pending).toBe(100);

    server = await startSyncServer(options);
    await a1.workstation.syncNow();
    await a2.workstation.syncNow();

    expect(await server.admin.countRows({ domain: 'master_data', table: 'tenant_patients', tenantId })).toBe(before + 100);
    const onA2 = await a2.workstation.caller.patients.list({ search: 'Outage', limit: 500 });
    expect(onA2.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect((await a1.workstation.caller.sync.status()).pending).toBe(0);
  });
});
