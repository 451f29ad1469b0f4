import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { compareHlc } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import type { Change } from '../../../shared/sync/pull.ts';
import { orgWithUsers, registerPatient, type RoleOrg } from '../../api/routers/test-support/domain-orgs.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, patientFields, startTestServer, type TestDevice, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/clinical/clinical-sync (PostgreSQL)'), testPostgresUrl());

const A_USERS = { desk: 'front_desk', doctor: 'clinician', doctor2: 'clinician', admin: 'org_admin' } as const;
const B_USERS = { desk: 'front_desk', doctor: 'clinician' } as const;

const NEVER_DELETED = 'Clinical records are never deleted. Close the encounter, cancel the order or amend the note instead.';
const SIGNED_IS_FINAL = 'This note is signed and can no longer change. Write an amendment instead.';

const encounterFields = (patientId: string, overrides: Record<string, unknown> = {}) => ({
  patientId,
  appointmentId: null,
  practitionerId: null,
  status: 'open',
  startedAt: '2026-03-02T09:00:00.000Z',
  endedAt: null,
  ...overrides,
});
const noteFields = (encounterId: string, authorId: string, overrides: Record<string, unknown> = {}) => ({
  encounterId,
  amendsId: null,
  kind: 'progress',
  body: 'Feels better; continue plan.',
  status: 'draft',
  authorId,
  signedAt: null,
  ...overrides,
});
const orderFields = (encounterId: string, orderedBy: string, overrides: Record<string, unknown> = {}) => ({
  encounterId,
  kind: 'lab',
  code: '2345-7',
  description: 'Glucose',
  status: 'active',
  orderedBy,
  ...overrides,
});

/** The one verdict of a one-mutation push. */
async function verdict(device: TestDevice, mutation: Mutation) {
  const { results } = await device.push(mutation);
  return results[0];
}

/** The current state of every clinical record the device may pull, by id (the last change of each wins). */
async function clinicalState(device: TestDevice): Promise<Map<string, Change>> {
  const { changes } = await device.pullAll('clinical');
  return new Map(changes.map((change) => [change.id, change]));
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`clinical sync (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof A_USERS>;
    let b: RoleOrg<keyof typeof B_USERS>;
    let patientA: string;
    let patientB: string;
    /** One encounter, signed note, draft note and order of A, written through sync by A's clinician. */
    const aIds = { encounter: uuidv7(), signed: uuidv7(), draft: uuidv7(), order: uuidv7() };

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'csync-a', A_USERS), orgWithUsers(server, 'csync-b', B_USERS)]);
      [patientA, patientB] = await Promise.all([registerPatient(a.device.desk, 'A-1'), registerPatient(b.device.desk, 'B-1')]);
      const doctor = a.device.doctor;
      const setup = await doctor.push(
        doctor.mutation('encounter', aIds.encounter, encounterFields(patientA)),
        doctor.mutation('note', aIds.signed, noteFields(aIds.encounter, a.userId.doctor, { body: 'A signed secret', status: 'signed', signedAt: '2026-03-02T09:20:00.000Z' })),
        doctor.mutation('note', aIds.draft, noteFields(aIds.encounter, a.userId.doctor, { body: 'A draft secret' })),
        doctor.mutation('order', aIds.order, orderFields(aIds.encounter, a.userId.doctor)),
      );
      expect(setup.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    });
    afterAll(() => server?.stop());

    it('pushes an encounter, a note and an order in one batch with a new patient, and pulls them back', async () => {
      const doctor = a.device.doctor;
      const ids = { patient: uuidv7(), encounter: uuidv7(), note: uuidv7(), order: uuidv7() };
      const batch = [
        doctor.mutation('patient', ids.patient, patientFields({ mrn: 'A-NEW' })),
        doctor.mutation('encounter', ids.encounter, encounterFields(ids.patient, { startedAt: '2026-03-02T10:00:00+01:00' })),
        doctor.mutation('note', ids.note, noteFields(ids.encounter, a.userId.doctor)),
        doctor.mutation('order', ids.order, orderFields(ids.encounter, a.userId.doctor, { status: 'draft' })),
      ];
      const result = await doctor.push(...batch);
      expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);

      const state = await clinicalState(a.device.doctor2);
      expect(state.get(ids.encounter)).toMatchObject({
        entity: 'encounter',
        op: 'upsert',
        version: 1,
        fields: encounterFields(ids.patient, { startedAt: '2026-03-02T09:00:00.000Z' }),
      });
      expect(state.get(ids.note)).toMatchObject({ entity: 'note', version: 1, fields: noteFields(ids.encounter, a.userId.doctor) });
      expect(state.get(ids.order)).toMatchObject({ entity: 'order', version: 1, fields: orderFields(ids.encounter, a.userId.doctor, { status: 'draft' }) });
      // Every value carries the server's stamp, newer than the HLC of the push that wrote it.
      const note = state.get(ids.note)!;
      expect(Object.keys(note.fieldHlc).sort()).toEqual(Object.keys(noteFields(ids.encounter, a.userId.doctor)).sort());
      for (const hlc of Object.values(note.fieldHlc)) expect(compareHlc(hlc, batch[2]!.hlc)).toBeGreaterThan(0);
    });

    it('applies a replayed batch once: the same mutation ids are duplicates and change nothing', async () => {
      const doctor = a.device.doctor;
      const ids = { encounter: uuidv7(), note: uuidv7(), order: uuidv7() };
      const batch = [
        doctor.mutation('encounter', ids.encounter, encounterFields(patientA)),
        doctor.mutation('note', ids.note, noteFields(ids.encounter, a.userId.doctor)),
        doctor.mutation('order', ids.order, orderFields(ids.encounter, a.userId.doctor)),
        doctor.mutation('order', ids.order, { status: 'completed' }),
      ];
      expect((await doctor.push(...batch)).results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
      const before = await clinicalState(doctor);
      const counts = async () =>
        Promise.all(['encounters', 'notes', 'orders', 'order_transitions', 'applied_mutations'].map((table) => server.admin.countRows({ domain: 'clinical', table, tenantId: a.tenantId })));
      const countsBefore = await counts();
      const replay = await doctor.push(...batch);
      expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
      expect(await counts()).toEqual(countsBefore);
      const after = await clinicalState(doctor);
      for (const id of Object.values(ids)) expect(after.get(id)).toEqual(before.get(id));
      expect(after.get(ids.order)).toMatchObject({ version: 2, fields: { status: 'completed' } });
    });

    it('keeps a draft to its author: another clinician can neither write in their name, edit nor sign it', async () => {
      const other = a.device.doctor2;
      expect(await verdict(other, other.mutation('note', aIds.draft, { body: 'Not mine to change' }))).toMatchObject({
        status: 'rejected',
        code: 'FORBIDDEN',
        reason: 'Only the author of a draft note can change it.',
      });
      expect(await verdict(other, other.mutation('note', aIds.draft, { status: 'signed', signedAt: new Date().toISOString() }))).toMatchObject({
        status: 'rejected',
        code: 'FORBIDDEN',
        reason: 'Only the author of a draft note can sign it.',
      });
      expect(await verdict(other, other.mutation('note', uuidv7(), noteFields(aIds.encounter, a.userId.doctor)))).toMatchObject({
        status: 'rejected',
        code: 'FORBIDDEN',
        reason: "A note can only be written in its author's own name.",
      });
      expect((await clinicalState(other)).get(aIds.draft)).toMatchObject({ version: 1, fields: { body: 'A draft secret', status: 'draft' } });
    });

    it('makes a signed note final: its author edits the draft, signs it, and any later edit is refused with the reason', async () => {
      const doctor = a.device.doctor;
      const id = uuidv7();
      await doctor.push(doctor.mutation('note', id, noteFields(aIds.encounter, a.userId.doctor)));
      expect(await verdict(doctor, doctor.mutation('note', id, { body: 'Edited by its author' }))).toMatchObject({ status: 'applied' });
      const signedAt = new Date().toISOString();
      expect(await verdict(doctor, doctor.mutation('note', id, { status: 'signed', signedAt }))).toMatchObject({ status: 'applied' });
      for (const edit of [{ body: 'Too late' }, { status: 'draft', signedAt: null }, { kind: 'soap' }]) {
        expect(await verdict(doctor, doctor.mutation('note', id, edit))).toMatchObject({ status: 'rejected', code: 'CONFLICT', reason: SIGNED_IS_FINAL });
      }
      expect((await clinicalState(doctor)).get(id)).toMatchObject({ version: 3, fields: { body: 'Edited by its author', status: 'signed', signedAt } });
    });

    it('appends an amendment as a new note naming a signed one; a draft cannot be amended', async () => {
      const doctor2 = a.device.doctor2;
      const amendment = uuidv7();
      const amend = noteFields(aIds.encounter, a.userId.doctor2, { amendsId: aIds.signed, body: 'Correction: dose was 5 mg.' });
      expect(await verdict(doctor2, doctor2.mutation('note', amendment, amend))).toMatchObject({ status: 'applied' });
      expect(await verdict(doctor2, doctor2.mutation('note', uuidv7(), { ...amend, amendsId: aIds.draft }))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: 'Only a signed note can be amended. Edit the draft instead.',
      });
      const state = await clinicalState(doctor2);
      expect(state.get(amendment)).toMatchObject({ fields: { amendsId: aIds.signed, status: 'draft', authorId: a.userId.doctor2 } });
      expect(state.get(aIds.signed)).toMatchObject({ version: 1, fields: { body: 'A signed secret', status: 'signed' } });
      // The desk sees the same chain.
      const desk = await a.client.doctor.clinical.notes.get.query({ id: aIds.signed });
      expect(desk.amendedBy).toEqual([amendment]);
    });

    it('moves an order only along the state machine; an invalid move is refused with the reason', async () => {
      const doctor = a.device.doctor;
      const id = uuidv7();
      await doctor.push(doctor.mutation('order', id, orderFields(aIds.encounter, a.userId.doctor, { status: 'draft' })));
      expect(await verdict(doctor, doctor.mutation('order', id, { status: 'completed' }))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: 'This order is a draft and cannot become completed: it can only become active or cancelled.',
      });
      expect(await verdict(doctor, doctor.mutation('order', id, { status: 'active' }))).toMatchObject({ status: 'applied' });
      expect(await verdict(doctor, doctor.mutation('order', id, { status: 'cancelled' }))).toMatchObject({ status: 'applied' });
      expect(await verdict(doctor, doctor.mutation('order', id, { status: 'active' }))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: 'This order is cancelled and cannot become active: it is final and cannot change any more.',
      });
      expect(await verdict(doctor, doctor.mutation('order', id, { description: 'Something else' }))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: "An order's details cannot change once it is placed. Cancel it and place a new one.",
      });
      expect(await verdict(doctor, doctor.mutation('order', uuidv7(), orderFields(aIds.encounter, a.userId.doctor, { status: 'completed' })))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
      });
      const history = await a.client.doctor.clinical.orders.get.query({ id });
      expect(history.history.map((move) => [move.from, move.to, move.changedBy])).toEqual([
        [null, 'draft', a.userId.doctor],
        ['draft', 'active', a.userId.doctor],
        ['active', 'cancelled', a.userId.doctor],
      ]);
    });

    it('closes an encounter once: a closed encounter takes no change and no new order; its patient never changes', async () => {
      const doctor = a.device.doctor;
      const id = uuidv7();
      await doctor.push(doctor.mutation('encounter', id, encounterFields(patientA)));
      const otherPatient = await registerPatient(a.device.desk, 'A-OTHER');
      expect(await verdict(doctor, doctor.mutation('encounter', id, { patientId: otherPatient }))).toMatchObject({ status: 'rejected', code: 'CONFLICT' });
      expect(await verdict(doctor, doctor.mutation('encounter', id, { status: 'closed', endedAt: '2026-03-02T08:00:00.000Z' }))).toMatchObject({
        status: 'rejected',
        code: 'VALIDATION',
        reason: 'An encounter cannot end before it started.',
      });
      expect(await verdict(doctor, doctor.mutation('encounter', id, { status: 'closed', endedAt: '2026-03-02T09:40:00.000Z' }))).toMatchObject({ status: 'applied' });
      expect(await verdict(doctor, doctor.mutation('encounter', id, { status: 'open', endedAt: null }))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: 'This encounter is already closed.',
      });
      expect(await verdict(doctor, doctor.mutation('order', uuidv7(), orderFields(id, a.userId.doctor)))).toMatchObject({
        status: 'rejected',
        code: 'CONFLICT',
        reason: 'This encounter is closed. Open a new encounter to place an order.',
      });
      const desk = await a.client.desk.clinical.encounters.get.query({ id });
      expect(desk).toMatchObject({ status: 'closed', endedAt: '2026-03-02T09:40:00.000Z', version: 2 });
    });

    it('refuses an encounter for a patient the org does not have, and every delete of a clinical record', async () => {
      const doctor = a.device.doctor;
      expect(await verdict(doctor, doctor.mutation('encounter', uuidv7(), encounterFields(patientB)))).toMatchObject({
        status: 'rejected',
        code: 'NOT_FOUND',
        reason: 'No such patient in this organization.',
      });
      for (const [entity, id] of [['encounter', aIds.encounter], ['note', aIds.draft], ['order', aIds.order]] as const) {
        expect(await verdict(doctor, doctor.mutation(entity, id, {}, 'delete'))).toMatchObject({ status: 'rejected', code: 'CONFLICT', reason: NEVER_DELETED });
      }
      const state = await clinicalState(doctor);
      expect([aIds.encounter, aIds.draft, aIds.order].map((id) => state.get(id)?.op)).toEqual(['upsert', 'upsert', 'upsert']);
    });

    it('gives the front desk encounters but never a note or an order, and refuses their pushes of either', async () => {
      const desk = a.device.desk;
      const first = await desk.pull('clinical', '0', 1);
      const { changes, cursor } = await desk.pullAll('clinical');
      expect(new Set(changes.map((change) => change.entity))).toEqual(new Set(['encounter']));
      expect(changes.map((change) => change.id)).toContain(aIds.encounter);
      expect(JSON.stringify(changes)).not.toContain('secret');
      // Pages are full pages of encounters (the filter is in the feed query), and nothing follows the last one.
      expect(first.changes).toHaveLength(1);
      expect((await desk.pull('clinical', cursor)).changes).toEqual([]);
      // An org admin may read none of clinical: empty pages, not an error.
      expect((await a.device.admin.pullAll('clinical')).changes).toEqual([]);

      // Refused one by one (the rest of the batch applies), so a queued note never blocks a desk's outbox.
      const { results } = await desk.push(
        desk.mutation('note', uuidv7(), noteFields(aIds.encounter, a.userId.desk)),
        desk.mutation('order', uuidv7(), orderFields(aIds.encounter, a.userId.desk)),
        desk.mutation('encounter', uuidv7(), encounterFields(patientA)),
      );
      expect(results.map((r) => [r.status, r.code])).toEqual([['rejected', 'FORBIDDEN'], ['rejected', 'FORBIDDEN'], ['applied', undefined]]);
      expect(results[0]?.reason).toMatch(/role does not allow/);
      // The front desk may open encounters, as at the desk.
      expect(await verdict(desk, desk.mutation('encounter', uuidv7(), encounterFields(patientA)))).toMatchObject({ status: 'applied' });
    });

    it('moves the feed on desk procedures too, so workstations hear of changes made online', async () => {
      const doctor = a.device.doctor;
      const { cursor } = await doctor.pullAll('clinical');
      const draft = await a.client.doctor.clinical.notes.createDraft.mutate({ encounterId: aIds.encounter, kind: 'phone', body: 'Called back.' });
      const signed = await a.client.doctor.clinical.notes.sign.mutate({ id: draft.id });
      await a.client.doctor.clinical.orders.transition.mutate({ id: aIds.order, to: 'on_hold' });
      const page = await doctor.pull('clinical', cursor);
      expect(page.hasMore).toBe(false);
      const byId = new Map(page.changes.map((change) => [change.id, change]));
      expect([...byId.keys()].sort()).toEqual([draft.id, aIds.order].sort());
      expect(byId.get(draft.id)).toMatchObject({ entity: 'note', version: 2, fields: { status: 'signed', signedAt: signed.signedAt, authorId: a.userId.doctor, body: 'Called back.' } });
      expect(byId.get(aIds.order)).toMatchObject({ entity: 'order', fields: { status: 'on_hold' } });
      // And a desk edit of a signed note is refused just as a pushed one is.
      expect(await appCodeOf(a.client.doctor.clinical.notes.updateDraft.mutate({ id: draft.id, body: 'changed' }))).toBe('CONFLICT');
    });

    it("keeps B's token away from A's records: guessed ids read as unknown, edits are refused, nothing leaks", async () => {
      const doctorB = b.device.doctor;
      const bState = await clinicalState(doctorB);
      expect([...bState.keys()].filter((id) => Object.values(aIds).includes(id))).toEqual([]);
      expect(JSON.stringify([...bState.values()])).not.toContain('secret');

      const aBefore = await clinicalState(a.device.doctor);
      // An edit of A's ids from B: the same answer as for an id nobody has.
      const edits = [
        ['encounter', aIds.encounter, { practitionerId: null, startedAt: '2026-03-01T09:00:00.000Z' }],
        ['note', aIds.draft, { body: 'B was here' }],
        ['order', aIds.order, { status: 'cancelled' }],
      ] as const;
      for (const [entity, id, fields] of edits) {
        const onA = await verdict(doctorB, doctorB.mutation(entity, id, fields));
        const unknown = await verdict(doctorB, doctorB.mutation(entity, uuidv7(), fields));
        expect(onA).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
        expect({ ...onA, mutationId: '' }).toEqual({ ...unknown, mutationId: '' });
      }
      // A note or an order naming A's encounter, or amending A's signed note: unknown too.
      expect(await verdict(doctorB, doctorB.mutation('note', uuidv7(), noteFields(aIds.encounter, b.userId.doctor)))).toMatchObject({
        code: 'NOT_FOUND',
        reason: 'No such encounter in this organization.',
      });
      expect(await verdict(doctorB, doctorB.mutation('order', uuidv7(), orderFields(aIds.encounter, b.userId.doctor)))).toMatchObject({ code: 'NOT_FOUND' });
      // B's own encounter under A's encounter id is B's alone: A's record and feed are untouched.
      expect(await verdict(doctorB, doctorB.mutation('encounter', aIds.encounter, encounterFields(patientB)))).toMatchObject({ status: 'applied' });
      expect(await verdict(doctorB, doctorB.mutation('note', uuidv7(), noteFields(aIds.encounter, b.userId.doctor, { amendsId: aIds.signed })))).toMatchObject({
        code: 'NOT_FOUND',
        reason: 'No such clinical note in this organization.',
      });
      expect((await clinicalState(doctorB)).get(aIds.encounter)).toMatchObject({ fields: { patientId: patientB } });
      expect(await clinicalState(a.device.doctor)).toEqual(aBefore);
      // B's desk procedures on A's ids: unknown as well.
      expect(await appCodeOf(b.client.doctor.clinical.notes.get.query({ id: aIds.signed }))).toBe('NOT_FOUND');
      expect(await appCodeOf(b.client.doctor.clinical.orders.get.query({ id: aIds.order }))).toBe('NOT_FOUND');
    });
  });
}
