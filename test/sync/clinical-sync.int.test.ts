import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import type { OrgStore } from '../../electron/store/org-store.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { closeWorkstations, openWorkstation, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 5: clinical records across the tiers. A clinician writes an encounter, a draft
 * note and an order on workstation A1 while it is offline; once it syncs, A2 of the same
 * org (the same clinician at another desk) has them, signs the note, and A1 then holds the
 * signed note and can no longer edit it. B1 of another org never holds any of it, and the
 * org's front desk gets the encounter but never a note's body nor an order.
 */
const storeOf = (ws: TestWorkstation): OrgStore => ws.workstation.store();

/** The signed-in person's id, as the workstation recorded it at online sign-in. */
function userIdOn(ws: TestWorkstation): string {
  const rows = storeOf(ws).db.prepare<[], { user_id: string }>('SELECT user_id FROM local_users').all();
  if (rows.length !== 1) throw new Error(`expected one local user on ${ws.name}`);
  return rows[0]!.user_id;
}

/** A sync that may meet a connection the relay just reset: retried until it goes through. */
const syncSoon = (ws: TestWorkstation) => vi.waitFor(() => ws.workstation.syncNow(), { timeout: 20_000, interval: 200 });

describe('clinical records between workstations', () => {
  let server: SyncServerHandle;
  let relay: TcpRelay;
  let a1: TestWorkstation;
  let a2: TestWorkstation;
  let desk: TestWorkstation;
  let b1: TestWorkstation;
  let clinician: string;
  // Letters only, so it passes the note body rules like real text would.
  const marker = `Bodymarker${uuidv7().replace(/[^a-f]/g, '').slice(0, 10)}`;
  const ids = { patient: '', encounter: '', note: '', order: '' };

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    relay = await startTcpRelay(server.url);
    a1 = await openWorkstation({ url: relay.url, demo: server.demo }, 'clin-a1', 'northside', 'clinician');
    a2 = await openWorkstation(server, 'clin-a2', 'northside', 'clinician');
    desk = await openWorkstation(server, 'clin-desk', 'northside', 'frontdesk');
    b1 = await openWorkstation(server, 'clin-b1', 'lakeview', 'clinician');
    await Promise.all([a1, a2, desk, b1].map((ws) => ws.workstation.syncNow()));
    clinician = userIdOn(a1);
    expect(userIdOn(a2)).toBe(clinician);
  }, 120_000);

  afterAll(async () => {
    await closeWorkstations(a1, a2, desk, b1);
    await relay?.close();
    await server?.close();
  });

  it('writes offline on A1, and after A1 syncs, A2 holds the same encounter, draft and order', async () => {
    relay.down();
    const store = storeOf(a1);
    ids.patient = store.listPatients({ limit: 1 })[0]!.id;
    ids.encounter = store.encounters.open({ patientId: ids.patient, startedAt: '2026-03-02T09:00:00.000Z' }).id;
    ids.note = store.notes.createDraft(clinician, { encounterId: ids.encounter, kind: 'progress', body: `${marker} improving` }).id;
    store.notes.editDraft(clinician, ids.note, { body: `${marker} improving, plan unchanged` });
    ids.order = store.orders.place(clinician, { encounterId: ids.encounter, kind: 'lab', code: '2345-7', description: 'Glucose' }).id;
    await expect(a1.workstation.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(store.pendingCount()).toBe(4);

    relay.up();
    await syncSoon(a1);
    expect(store.pendingCount()).toBe(0);
    expect(store.rejected()).toEqual([]);

    await a2.workstation.syncNow();
    const there = storeOf(a2);
    expect(there.encounters.get(ids.encounter)).toEqual(store.encounters.get(ids.encounter));
    expect(there.encounters.ofPatient(ids.patient).map((e) => e.id)).toContain(ids.encounter);
    expect(there.notes.get(ids.note)).toEqual({
      encounterId: ids.encounter,
      amendsId: null,
      kind: 'progress',
      body: `${marker} improving, plan unchanged`,
      status: 'draft',
      authorId: clinician,
      signedAt: null,
    });
    expect(there.orders.ofEncounter(ids.encounter)).toEqual([
      { id: ids.order, encounterId: ids.encounter, kind: 'lab', code: '2345-7', description: 'Glucose', status: 'active', orderedBy: clinician },
    ]);
  });

  it('signs on A2; A1 then holds the signed note and refuses to edit it, and takes only valid order moves', async () => {
    storeOf(a2).notes.sign(clinician, ids.note);
    await a2.workstation.syncNow();
    expect(storeOf(a2).rejected()).toEqual([]);
    await syncSoon(a1);

    const store = storeOf(a1);
    const signed = store.notes.get(ids.note)!;
    expect(signed).toMatchObject({ status: 'signed', body: `${marker} improving, plan unchanged` });
    expect(signed.signedAt).toEqual(storeOf(a2).notes.get(ids.note)!.signedAt);
    expect(() => store.notes.editDraft(clinician, ids.note, { body: 'changed after signing' })).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'This note is signed and can no longer change. Write an amendment instead.' }),
    );
    expect(() => store.notes.sign(clinician, ids.note)).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(store.pendingCount()).toBe(0); // nothing was queued by the refused edits

    // An amendment is a new note; A2 receives it next to the signed one.
    const amendment = store.notes.amend(clinician, ids.note, { body: `${marker} addendum` }).id;
    store.orders.transition(ids.order, 'completed');
    expect(() => store.orders.transition(ids.order, 'active')).toThrow(
      expect.objectContaining({ code: 'CONFLICT', message: 'This order is completed and cannot become active: it is final and cannot change any more.' }),
    );
    await syncSoon(a1);
    expect(store.rejected()).toEqual([]);
    await a2.workstation.syncNow();
    const notes = storeOf(a2).notes.ofEncounter(ids.encounter);
    expect(new Map(notes.map((n) => [n.id, [n.status, n.amendsId]]))).toEqual(
      new Map([
        [ids.note, ['signed', null]],
        [amendment, ['draft', ids.note]],
      ]),
    );
    expect(storeOf(a2).orders.get(ids.order)?.status).toBe('completed');
  });

  it('gives the front desk the encounter but never a note body or an order', async () => {
    await desk.workstation.syncNow();
    const store = storeOf(desk);
    expect(store.encounters.get(ids.encounter)).toMatchObject({ patientId: ids.patient, status: 'open' });
    expect(store.notes.ofEncounter(ids.encounter)).toEqual([]);
    expect(store.orders.ofEncounter(ids.encounter)).toEqual([]);
    const anyNote = store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM notes').get();
    const anyOrder = store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM orders').get();
    expect([anyNote?.n, anyOrder?.n]).toEqual([0, 0]);
  });

  it('never gives B1, of another org, any of it', async () => {
    await b1.workstation.syncNow();
    const store = storeOf(b1);
    expect(store.encounters.get(ids.encounter)).toBeUndefined();
    expect(store.notes.get(ids.note)).toBeUndefined();
    expect(store.orders.get(ids.order)).toBeUndefined();
    const bodies = store.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notes WHERE body LIKE ?').get(`%${marker}%`);
    expect(bodies?.n).toBe(0);
  });
});
