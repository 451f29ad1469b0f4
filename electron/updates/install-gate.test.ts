import { describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { rememberOnlineUser } from '../people/local-users.ts';
import type { OrgStore } from '../store/org-store.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { installGate, pendingWorkOf } from './install-gate.ts';
import { sessionWorkOf } from './session-work.ts';

/**
 * The install gate on real encrypted stores (SQLCipher through OrgStore): an update waits
 * while a note of someone who works at this desk is in draft or the outbox is not empty.
 */
const openFresh = freshStorePerTest();
const clinician = uuidv7();
const colleagueElsewhere = uuidv7();

function sendEverything(store: OrgStore): void {
  store.settle(store.pendingBatch(1000).map((m) => ({ mutationId: m.mutationId, status: 'applied' as const })), formatHlc({ ms: Date.now(), counter: 0, node: 'server' }));
}

async function deskWithEncounter() {
  const store = openFresh();
  await rememberOnlineUser(store, { userId: clinician, username: 'dr.here', displayName: 'Dr Here', role: 'clinician' }, 'a long test password', Date.now());
  const patientId = store.patients.create(samplePatient()).id;
  const encounterId = store.encounters.open({ patientId, startedAt: '2026-03-02T09:00:00.000Z' }).id;
  return { store, encounterId };
}

describe('install gate', () => {
  it('waits for unsent changes, then opens once the server has them all', async () => {
    const { store } = await deskWithEncounter();
    const open = () => installGate({ state: 'open', work: pendingWorkOf(store.db) });
    expect(pendingWorkOf(store.db)).toEqual({ draftNotes: 0, unsentChanges: 2 });
    expect(open()).toEqual({ safe: false, waitingFor: '2 changes to reach the server' });
    sendEverything(store);
    expect(open()).toEqual({ safe: true, waitingFor: '' });
  });

  it("waits while a note of someone who works here is a draft, even once it is synced; not for a colleague's draft pulled from elsewhere", async () => {
    const { store, encounterId } = await deskWithEncounter();
    const note = store.notes.createDraft(clinician, { encounterId, kind: 'progress', body: 'Draft text' });
    sendEverything(store);
    expect(pendingWorkOf(store.db)).toEqual({ draftNotes: 1, unsentChanges: 0 });
    expect(installGate({ state: 'open', work: pendingWorkOf(store.db) })).toEqual({ safe: false, waitingFor: '1 draft note to be signed' });

    // A colleague who never signed in at this desk: their draft is being written elsewhere.
    store.db.prepare(`UPDATE notes SET author_id = ? WHERE id = ?`).run(colleagueElsewhere, note.id);
    expect(pendingWorkOf(store.db)).toEqual({ draftNotes: 0, unsentChanges: 0 });
    store.db.prepare(`UPDATE notes SET author_id = ? WHERE id = ?`).run(clinician, note.id);

    store.notes.sign(clinician, note.id);
    expect(installGate({ state: 'open', work: pendingWorkOf(store.db) })).toEqual({ safe: false, waitingFor: '1 change to reach the server' });
    sendEverything(store);
    expect(installGate({ state: 'open', work: pendingWorkOf(store.db) }).safe).toBe(true);
  });

  it('says both reasons together, and never anything about the patient or the note', async () => {
    const { store, encounterId } = await deskWithEncounter();
    store.notes.createDraft(clinician, { encounterId, kind: 'progress', body: 'Secret clinical words' });
    store.notes.createDraft(clinician, { encounterId, kind: 'progress', body: 'More words' });
    const gate = installGate({ state: 'open', work: pendingWorkOf(store.db) });
    expect(gate).toEqual({ safe: false, waitingFor: '2 draft notes to be signed and 4 changes to reach the server' });
    expect(gate.waitingFor).not.toMatch(/Secret|Testperson|Ada/);
  });

  it('is open when nobody is signed in and shut while a session is locked', () => {
    expect(installGate({ state: 'signed_out' })).toEqual({ safe: true, waitingFor: '' });
    expect(installGate({ state: 'locked' })).toMatchObject({ safe: false, waitingFor: expect.stringContaining('locked session') });
  });

  it("reads only the open org's store from the workstation, and waits when the workstation cannot answer", async () => {
    const { store } = await deskWithEncounter();
    const status = (state: 'signed_out' | 'signed_in' | 'locked') => () => ({ state, user: null, org: null, serverUrl: 'http://127.0.0.1:1' });
    expect(sessionWorkOf({ sessionStatus: status('signed_in'), store: () => store })).toEqual({ state: 'open', work: { draftNotes: 0, unsentChanges: 2 } });
    expect(sessionWorkOf({ sessionStatus: status('signed_out'), store: () => store })).toEqual({ state: 'signed_out' });
    expect(sessionWorkOf({ sessionStatus: status('locked'), store: () => store })).toEqual({ state: 'locked' });
    store.close(); // e.g. signed out between the status and the read
    expect(sessionWorkOf({ sessionStatus: status('signed_in'), store: () => store })).toEqual({ state: 'locked' });
  });
});
