import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedConflict } from '../../electron/store/conflicts.ts';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeWorkstations, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * The conflict log's contract for the UI (issue 5, DESIGN §4), end to end: two desks of one
 * org edit the same patient's fields while offline; the desk that syncs second logs the
 * values that lost; the local API lists them and resolves them. Keeping the loser writes it
 * back as a new edit that every desk converges to; keeping the winner changes nothing; only
 * roles that may write patients may decide.
 */
describe('conflict log: listing and resolving over the local API', () => {
  let server: SyncServerHandle;
  const relays: TcpRelay[] = [];
  let a: TestWorkstation;
  let b: TestWorkstation;
  let relayA: TcpRelay;
  let relayB: TcpRelay;
  let patientId: string;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    relayA = await startTcpRelay(server.url);
    relayB = await startTcpRelay(server.url);
    relays.push(relayA, relayB);
    a = await openWorkstation({ url: relayA.url, demo: server.demo }, 'conflict-a', 'northside');
    b = await openWorkstation({ url: relayB.url, demo: server.demo }, 'conflict-b', 'northside');
    await a.workstation.syncNow();
    await b.workstation.syncNow();
    patientId = (await a.workstation.caller.patients.list({ limit: 1 }))[0]!.id;
  });
  afterAll(async () => {
    await closeWorkstations(a, b);
    for (const relay of relays) await relay.close();
    await server?.close();
  });

  const patientOn = (ws: TestWorkstation) => ws.workstation.store().patients.get(patientId)!;
  const password = (username: string) => server.demo!.orgs.find((o) => o.code === 'northside')!.users.find((u) => u.username === username)!.password;
  const signInAs = (ws: TestWorkstation, username: string) => ws.workstation.caller.session.signIn({ org: 'northside', username, password: password(username) });

  it('logs the losing values of concurrent offline edits on the desk that syncs second, and lists them', async () => {
    relayA.down();
    relayB.down();
    a.workstation.store().patients.update(patientId, { phone: '555-0101', familyName: 'Fromdeska' });
    b.workstation.store().patients.update(patientId, { phone: '555-0202', familyName: 'Fromdeskb' });

    relayB.up();
    await b.workstation.syncNow();
    relayA.up();
    await a.workstation.syncNow();
    await b.workstation.syncNow();

    // Both desks hold the same (winning) values.
    expect(patientOn(a)).toEqual(patientOn(b));
    const list = await a.workstation.caller.sync.conflicts.list();
    expect(list.map((c) => c.field).sort()).toEqual(['familyName', 'phone']);
    for (const conflict of list) {
      expect(conflict).toMatchObject({ entity: 'patient', entityId: patientId, resolution: null, createdAt: expect.any(String), id: expect.any(Number) });
      const values = [conflict.losingValue, conflict.winningValue].sort();
      expect(values).toEqual(conflict.field === 'phone' ? ['555-0101', '555-0202'] : ['Fromdeska', 'Fromdeskb']);
      expect(patientOn(a)[conflict.field as 'phone']).toBe(conflict.winningValue);
    }
    expect(await a.workstation.caller.sync.conflicts.list({ open: true })).toHaveLength(2);
    expect(await b.workstation.caller.sync.conflicts.list()).toEqual([]);
  });

  it('keeping the loser writes it back as a new edit that every desk converges to', async () => {
    const logged = await a.workstation.caller.sync.conflicts.list();
    const phone = logged.find((c) => c.field === 'phone')!;
    const resolved = await a.workstation.caller.sync.conflicts.resolve({ id: phone.id, keep: 'loser' });
    expect(resolved).toMatchObject({ id: phone.id, resolution: { keep: 'loser', by: 'frontdesk', at: expect.any(String) } });
    expect(patientOn(a).phone).toBe(phone.losingValue);

    await a.workstation.syncNow();
    await b.workstation.syncNow();
    expect(patientOn(b).phone).toBe(phone.losingValue);
    expect(patientOn(a)).toEqual(patientOn(b));
    // The chosen value travelled as an ordinary newer edit: no new conflict anywhere.
    expect((await a.workstation.caller.sync.conflicts.list()).map((c: LoggedConflict) => c.id)).toEqual(logged.map((c) => c.id));
    expect(await a.workstation.caller.sync.conflicts.list({ open: true })).toHaveLength(1);
    expect(await b.workstation.caller.sync.conflicts.list()).toEqual([]);

    // A repeated click is harmless; the other choice afterwards is refused.
    expect(await a.workstation.caller.sync.conflicts.resolve({ id: phone.id, keep: 'loser' })).toMatchObject({ resolution: { keep: 'loser' } });
    await expect(a.workstation.caller.sync.conflicts.resolve({ id: phone.id, keep: 'winner' })).rejects.toMatchObject({ cause: { code: 'CONFLICT' } });
    await expect(a.workstation.caller.sync.conflicts.resolve({ id: 999_999, keep: 'winner' })).rejects.toMatchObject({ cause: { code: 'NOT_FOUND' } });
    expect((await a.workstation.caller.sync.status()).pending).toBe(0);
  });

  it('only a role that may write the record may resolve; keeping the winner changes nothing', async () => {
    const open = (await a.workstation.caller.sync.conflicts.list({ open: true }))[0]!;
    const before = patientOn(a);

    await signInAs(a, 'admin'); // org_admin: may read patients, not write them
    await expect(a.workstation.caller.sync.conflicts.resolve({ id: open.id, keep: 'winner' })).rejects.toMatchObject({ cause: { code: 'FORBIDDEN' } });
    await expect(a.workstation.caller.sync.conflicts.resolve({ id: open.id, keep: 'loser' })).rejects.toMatchObject({ cause: { code: 'FORBIDDEN' } });
    expect(await a.workstation.caller.sync.conflicts.list({ open: true })).toHaveLength(1);

    await signInAs(a, 'clinician'); // may write patients
    const kept = await a.workstation.caller.sync.conflicts.resolve({ id: open.id, keep: 'winner' });
    expect(kept).toMatchObject({ resolution: { keep: 'winner', by: 'clinician' } });
    expect((await a.workstation.caller.sync.status()).pending).toBe(0);
    expect(patientOn(a)).toEqual(before);
    expect(await a.workstation.caller.sync.conflicts.list({ open: true })).toEqual([]);
  });
});
