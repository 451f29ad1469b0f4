import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { refusal } from '../../electron/people/testing/people-desks.ts';
import { orderTransitionRefusal } from '../../shared/api/clinical.ts';
import { signedNoteIsFinal } from '../../shared/entities/note.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { openWorkstation, removeDir, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 6, clinicians: the chart, my day, encounters, notes and orders through the local
 * API on a real encrypted store, as the signed-in person. The front desk is checked on the
 * clinician's own workstation, whose store DOES hold the note bodies, so what keeps them
 * out of sight is the local API's capability check, not the sync filter.
 */
const NPI = '1234567893';

/** The local calendar day of an instant, as the desk's screen would name it. */
function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

describe('clinical work on the desk (local API, encrypted store)', () => {
  let server: SyncServerHandle;
  let ws: TestWorkstation;
  let practitionerId: string;
  const password = () => server.demo!.orgs.find((org) => org.code === 'northside')!.users[0]!.password;
  const caller = () => ws.workstation.caller;
  // Letters only, so it passes the note body rules like real text would.
  const marker = `Chartmarker${uuidv7().replace(/[^a-f]/g, '').slice(0, 10)}`;
  const startedMs = Date.now() - 60_000;
  const ids = { patient: '', encounter: '', note: '', amendment: '', order: '' };

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    const org = server.demo!.orgs.find((candidate) => candidate.code === 'northside')!;
    const admin = org.users.find((user) => user.username === 'admin')!;
    const { client } = await signedIn(server, { code: 'northside', username: 'admin', password: admin.password });
    practitionerId = (await client.personnel.staff.create.mutate({ displayName: 'Dr. Chart', isPractitioner: true, npi: NPI, jobRoles: ['physician'] })).id;
    ws = await openWorkstation(server, 'clinical-desk', 'northside', 'clinician');
    await ws.workstation.syncNow();
    ids.patient = ws.workstation.store().listPatients({ limit: 1 })[0]!.id;
  }, 120_000);

  afterAll(async () => {
    await ws?.close();
    if (ws) removeDir(ws.dataDir);
    await server?.close();
  });

  it('clinician: encounter, draft, sign (then read-only), amend, orders along the state machine; all pushed without asking', async () => {
    const userId = (await caller().session.status()).user!.userId;
    ids.encounter = (await caller().clinical.encounters.open({ patientId: ids.patient, practitionerId, startedAt: new Date(startedMs).toISOString() })).id;

    ids.note = (await caller().clinical.notes.createDraft({ encounterId: ids.encounter, kind: 'progress', body: `${marker} first words` })).id;
    await caller().clinical.notes.editDraft({ id: ids.note, body: `${marker} improving` });
    expect(await refusal(caller().clinical.notes.createDraft({ encounterId: ids.encounter, kind: 'progress', body: '   ' }))).toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { body: 'is required' },
    });
    await caller().clinical.notes.sign({ id: ids.note });
    const final = signedNoteIsFinal();
    expect(await refusal(caller().clinical.notes.editDraft({ id: ids.note, body: 'changed after signing' }))).toEqual({ code: final.code, message: final.message });
    expect(await refusal(caller().clinical.notes.sign({ id: ids.note }))).toEqual({ code: final.code, message: final.message });
    ids.amendment = (await caller().clinical.notes.amend({ noteId: ids.note, body: `${marker} addendum: dose corrected` })).id;
    await caller().clinical.notes.sign({ id: ids.amendment });

    ids.order = (await caller().clinical.orders.place({ encounterId: ids.encounter, kind: 'lab', code: '2345-7', description: 'Glucose' })).id;
    await caller().clinical.orders.transition({ id: ids.order, to: 'on_hold' });
    await caller().clinical.orders.transition({ id: ids.order, to: 'active' });
    await caller().clinical.orders.transition({ id: ids.order, to: 'completed' });
    expect(await refusal(caller().clinical.orders.transition({ id: ids.order, to: 'cancelled' }))).toEqual({
      code: 'CONFLICT',
      message: orderTransitionRefusal('completed', 'cancelled'),
    });

    const chart = await caller().clinical.chart.get({ patientId: ids.patient });
    expect(chart.encounters).toEqual([expect.objectContaining({ id: ids.encounter, status: 'open', practitionerId })]);
    expect(chart.notes).toEqual([
      expect.objectContaining({ id: ids.note, status: 'signed', body: `${marker} improving`, authorId: userId, amendsId: null }),
      expect.objectContaining({ id: ids.amendment, status: 'signed', amendsId: ids.note, authorId: userId }),
    ]);
    expect(chart.orders).toEqual([expect.objectContaining({ id: ids.order, status: 'completed', orderedBy: userId })]);

    const day = await caller().clinical.myDay({ date: localDate(startedMs), practitionerId });
    expect(day.encounters.map((e) => e.id)).toEqual([ids.encounter]);
    expect((await caller().clinical.myDay({ date: localDate(startedMs - 86_400_000), practitionerId })).encounters).toEqual([]);
    expect((await caller().clinical.myDay({ date: localDate(startedMs), practitionerId: uuidv7() })).encounters).toEqual([]);

    // Nobody ran a sync: each write nudged the engine, and the server accepted all of it.
    await vi.waitFor(async () => expect(await caller().sync.status()).toMatchObject({ pending: 0 }), { timeout: 30_000, interval: 200 });
    await ws.workstation.syncNow();
    expect((await caller().clinical.chart.get({ patientId: ids.patient })).notes?.map((n) => n.status)).toEqual(['signed', 'signed']);
  }, 60_000);

  it('front desk on the same store: encounters only, no note contents or orders anywhere, refused on note and order procedures', async () => {
    await caller().session.signOut();
    expect(await caller().session.signIn({ org: 'northside', username: 'frontdesk', password: password() })).toMatchObject({ user: { role: 'front_desk' } });
    // The store under the desk does hold the bodies: the local API is what hides them.
    expect(ws.workstation.store().notes.get(ids.note)?.body).toContain(marker);

    const chart = await caller().clinical.chart.get({ patientId: ids.patient });
    expect(chart).toEqual({ patientId: ids.patient, encounters: [expect.objectContaining({ id: ids.encounter })], notes: null, orders: null });
    const day = await caller().clinical.myDay({ date: localDate(startedMs), practitionerId });
    expect(day.encounters.map((e) => e.id)).toEqual([ids.encounter]);
    expect(JSON.stringify([chart, day])).not.toContain(marker);

    const refusals = await Promise.all([
      refusal(caller().clinical.notes.createDraft({ encounterId: ids.encounter, kind: 'progress', body: 'desk note' })),
      refusal(caller().clinical.notes.editDraft({ id: ids.note, body: 'desk edit' })),
      refusal(caller().clinical.notes.sign({ id: ids.note })),
      refusal(caller().clinical.notes.amend({ noteId: ids.note, body: 'desk amendment' })),
      refusal(caller().clinical.orders.place({ encounterId: ids.encounter, kind: 'lab', code: '2345-7', description: 'Glucose' })),
      refusal(caller().clinical.orders.transition({ id: ids.order, to: 'cancelled' })),
    ]);
    expect(refusals.map((r) => r.code)).toEqual(Array(6).fill('FORBIDDEN'));
    expect(refusals[0]!.message).toBe('Your role (front desk) may not write and amend clinical notes.');
    expect(refusals[2]!.message).toBe('Your role (front desk) may not sign clinical notes.');
    expect(refusals[4]!.message).toBe('Your role (front desk) may not place orders and change their status.');
    // Nothing was written by the refused calls.
    expect(ws.workstation.store().pendingCount()).toBe(0);

    // encounters.write is the desk's (check-in opens the visit).
    const walkIn = (await caller().clinical.encounters.open({ patientId: ids.patient })).id;
    await caller().clinical.encounters.close({ id: walkIn });
    expect((await caller().clinical.chart.get({ patientId: ids.patient })).encounters.find((e) => e.id === walkIn)).toMatchObject({ status: 'closed' });
    expect(await refusal(caller().clinical.chart.get({ patientId: uuidv7() }))).toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);

  it('a locked screen refuses every clinical procedure before anything else', async () => {
    expect(await caller().session.lock()).toMatchObject({ state: 'locked' });
    const calls = [
      caller().clinical.chart.get({ patientId: ids.patient }),
      caller().clinical.myDay({ date: localDate(startedMs), practitionerId }),
      caller().clinical.encounters.open({ patientId: ids.patient }),
      caller().clinical.notes.createDraft({ encounterId: ids.encounter, kind: 'progress', body: 'x' }),
      caller().clinical.orders.transition({ id: ids.order, to: 'cancelled' }),
    ];
    for (const call of calls) expect(await refusal(call)).toMatchObject({ code: 'STORE_LOCKED' });
    expect(await caller().session.unlock({ password: password() })).toMatchObject({ state: 'signed_in' });
    expect((await caller().clinical.chart.get({ patientId: ids.patient })).notes).toBeNull();
  }, 30_000);
});
