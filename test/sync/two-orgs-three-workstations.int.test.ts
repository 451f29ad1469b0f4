import Database from 'better-sqlite3-multiple-ciphers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeWorkstations, filesContaining, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 2, test 1: two orgs, three workstations. What A1 creates reaches A2 and never B1,
 * each store file holds only its own org's rows (read back with nothing but its key), and
 * no file a workstation wrote holds a planted PHI marker in clear.
 */
function readStore(path: string, key: Buffer): { tenantId: string | undefined; familyNames: string[] } {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma(`cipher = 'sqlcipher'`);
    db.pragma('legacy = 4');
    db.pragma(`key = "x'${key.toString('hex')}'"`);
    const meta = db.prepare(`SELECT value FROM meta WHERE key = 'tenant_id'`).get() as { value: string } | undefined;
    const rows = db.prepare('SELECT family_name FROM patients').all() as Array<{ family_name: string }>;
    return { tenantId: meta?.value, familyNames: rows.map((row) => row.family_name) };
  } finally {
    db.close();
  }
}

describe('two orgs, three workstations', () => {
  let server: SyncServerHandle;
  let a1: TestWorkstation;
  let a2: TestWorkstation;
  let b1: TestWorkstation;
  // Letters only: a patient name must pass the same validation a person's would.
  const marker = `Phimarker${uuidv7().replace(/[^a-f]/g, '').slice(0, 10)}`;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    a1 = await openWorkstation(server, 'a1', 'northside');
    a2 = await openWorkstation(server, 'a2', 'northside');
    b1 = await openWorkstation(server, 'b1', 'lakeview');
    await Promise.all([a1, a2, b1].map((ws) => ws.workstation.syncNow()));
  });

  afterAll(async () => {
    await closeWorkstations(a1, a2, b1);
    await server?.close();
  });

  it('delivers a patient created on A1 to A2 and never to B1', async () => {
    const { id } = await a1.workstation.caller.patients.create({
      givenName: 'Ada',
      familyName: marker,
      birthDate: '1980-02-29',
      sex: 'female',
      phone: '555-0100',
      mrn: 'MRN-T1',
    });
    await a1.workstation.syncNow();
    await a2.workstation.syncNow();
    await b1.workstation.syncNow();

    const onA2 = await a2.workstation.caller.patients.list({ search: marker });
    expect(onA2.map((p) => p.id)).toEqual([id]);
    expect(onA2[0]).toMatchObject({ givenName: 'Ada', familyName: marker, mrn: 'MRN-T1', pending: false });
    expect(await b1.workstation.caller.patients.list({ search: marker })).toEqual([]);
    expect(await b1.workstation.caller.patients.list({ search: 'MRN-T1' })).toEqual([]);
  });

  it('keeps each store file to its own org, readable only with its own key', async () => {
    const northside = server.demo!.orgs.find((org) => org.code === 'northside')!;
    const lakeview = server.demo!.orgs.find((org) => org.code === 'lakeview')!;
    const seen = new Map<string, { tenantId: string | undefined; familyNames: string[] }>();
    for (const ws of [a1, a2, b1]) {
      const tenantId = ws.workstation.currentTenantId()!;
      const path = ws.workstation.storePath(tenantId);
      await ws.close(); // a closed store: what a thief would find on disk
      seen.set(ws.name, readStore(path, await ws.keystore.getOrCreateStoreKey(tenantId)));
    }
    expect(seen.get('a1')!.tenantId).toBe(northside.tenantId);
    expect(seen.get('a2')!.tenantId).toBe(northside.tenantId);
    expect(seen.get('b1')!.tenantId).toBe(lakeview.tenantId);
    // The demo org's seeded patients arrived, plus the marker on A's desks only.
    for (const name of ['a1', 'a2'] as const) {
      expect(seen.get(name)!.familyNames.filter((n) => n === marker)).toHaveLength(1);
      expect(seen.get(name)!.familyNames.length).toBeGreaterThan(100);
    }
    expect(seen.get('b1')!.familyNames).not.toContain(marker);
    expect(seen.get('b1')!.familyNames.length).toBeGreaterThan(100);
    expect(seen.get('a1')!.familyNames.sort()).toEqual(seen.get('a2')!.familyNames.sort());

    // B1's key does not open A1's store.
    const a1Path = a1.workstation.storePath(northside.tenantId);
    const wrongKey = await b1.keystore.getOrCreateStoreKey(lakeview.tenantId);
    expect(() => readStore(a1Path, wrongKey)).toThrow();
  });

  it('leaves the PHI marker in no file in clear, store and -wal included', () => {
    for (const ws of [a1, a2, b1]) {
      expect(filesContaining(ws.dataDir, marker), `${ws.name} data folder`).toEqual([]);
    }
  });
});
