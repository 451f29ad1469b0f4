import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, appointmentFields, startTestServer, type TestServer } from '../../testing/harness.ts';
import { orgWithUsers, registerPatient, type RoleOrg } from './test-support/domain-orgs.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/clinical (PostgreSQL)'), testPostgresUrl());

const A_USERS = { desk: 'front_desk', doctor: 'clinician', doctor2: 'clinician', admin: 'org_admin', tech: 'it_admin' } as const;
const B_USERS = { desk: 'front_desk', doctor: 'clinician' } as const;

/** The sentence a refused call carried. */
async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return '(no error)';
  } catch (error) {
    if (error instanceof TRPCClientError) return error.message;
    throw error;
  }
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`clinical procedures (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof A_USERS>;
    let b: RoleOrg<keyof typeof B_USERS>;
    let patientA: string;
    let otherPatientA: string;
    let appointmentA: string;
    let practitionerA: string;
    /** B's rows, made by B's own users. */
    const bIds = { patient: '', encounter: '', note: '', draft: '', order: '', practitioner: '', appointment: '' };

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'clin-a', A_USERS), orgWithUsers(server, 'clin-b', B_USERS)]);
      [patientA, otherPatientA, bIds.patient] = await Promise.all([registerPatient(a.device.desk, 'A-1'), registerPatient(a.device.desk, 'A-2'), registerPatient(b.device.desk, 'B-1')]);
      appointmentA = uuidv7();
      bIds.appointment = uuidv7();
      await a.device.desk.push(a.device.desk.mutation('appointment', appointmentA, appointmentFields(patientA)));
      await b.device.desk.push(b.device.desk.mutation('appointment', bIds.appointment, appointmentFields(bIds.patient)));
      practitionerA = (await a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. A', isPractitioner: true })).id;

      const bPractitioner = await orgWithUsers(server, 'clin-b-admin', { admin: 'org_admin' }); // another org again: its staff id is foreign to A too
      bIds.practitioner = (await bPractitioner.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. Elsewhere', isPractitioner: true })).id;
      const encounter = await b.client.desk.clinical.encounters.open.mutate({ patientId: bIds.patient });
      bIds.encounter = encounter.id;
      const note = await b.client.doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'progress', body: 'B secret assessment' });
      await b.client.doctor.clinical.notes.sign.mutate({ id: note.id });
      bIds.note = note.id;
      bIds.draft = (await b.client.doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'soap', body: 'B draft text' })).id;
      bIds.order = (await b.client.doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '2345-7', description: 'B glucose panel' })).id;
    });
    afterAll(() => server?.stop());

    it('opens, reads, lists and closes encounters (front desk included); closing twice is a CONFLICT', async () => {
      const opened = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA, appointmentId: appointmentA, practitionerId: practitionerA });
      expect(opened).toMatchObject({ patientId: patientA, appointmentId: appointmentA, practitionerId: practitionerA, status: 'open', endedAt: null, version: 1 });
      expect(await a.client.doctor.clinical.encounters.get.query({ id: opened.id })).toEqual(opened);
      expect((await a.client.desk.clinical.encounters.list.query({ patientId: patientA, status: 'open' })).map((e) => e.id)).toContain(opened.id);

      const closed = await a.client.desk.clinical.encounters.close.mutate({ id: opened.id });
      expect(closed).toMatchObject({ status: 'closed', version: 2 });
      expect(Date.parse(closed.endedAt!)).toBeGreaterThanOrEqual(Date.parse(closed.startedAt));
      expect(await messageOf(a.client.desk.clinical.encounters.close.mutate({ id: opened.id }))).toBe('This encounter is already closed.');
      expect((await a.client.desk.clinical.encounters.list.query({ patientId: patientA, status: 'open' })).map((e) => e.id)).not.toContain(opened.id);
    });

    it('checks every id an encounter names with the domain that owns it', async () => {
      const open = (input: Record<string, unknown>) => appCodeOf(a.client.desk.clinical.encounters.open.mutate({ patientId: patientA, ...input } as { patientId: string }));
      expect(await open({ patientId: uuidv7() })).toBe('NOT_FOUND');
      expect(await open({ patientId: bIds.patient })).toBe('NOT_FOUND');
      expect(await open({ practitionerId: bIds.practitioner })).toBe('NOT_FOUND');
      expect(await open({ appointmentId: bIds.appointment })).toBe('NOT_FOUND');
      // A's own appointment, but of another patient.
      expect(await open({ patientId: otherPatientA, appointmentId: appointmentA })).toBe('NOT_FOUND');
      expect(await open({ startedAt: new Date(Date.now() + 86_400_000).toISOString() })).toBe('VALIDATION');
      const started = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA, startedAt: new Date(Date.now() - 3_600_000).toISOString() });
      expect(await appCodeOf(a.client.desk.clinical.encounters.close.mutate({ id: started.id, endedAt: new Date(Date.now() - 7_200_000).toISOString() }))).toBe('VALIDATION');
    });

    it('keeps drafts to their author, makes a signed note immutable and appends amendments', async () => {
      const encounter = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA });
      const draft = await a.client.doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'soap', body: 'S: cough' });
      expect(draft).toMatchObject({ status: 'draft', authorId: a.userId.doctor, patientId: patientA, amendsId: null, amendedBy: [], signedAt: null, version: 1 });

      expect(await appCodeOf(a.client.doctor2.clinical.notes.updateDraft.mutate({ id: draft.id, body: 'not mine' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.doctor2.clinical.notes.sign.mutate({ id: draft.id }))).toBe('FORBIDDEN');
      const edited = await a.client.doctor.clinical.notes.updateDraft.mutate({ id: draft.id, body: 'S: cough for 3 days', expectedVersion: 1 });
      expect(edited).toMatchObject({ body: 'S: cough for 3 days', version: 2 });
      expect(await appCodeOf(a.client.doctor.clinical.notes.updateDraft.mutate({ id: draft.id, body: 'stale', expectedVersion: 1 }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.doctor.clinical.notes.amend.mutate({ noteId: draft.id, body: 'too early' }))).toBe('CONFLICT');

      const signed = await a.client.doctor.clinical.notes.sign.mutate({ id: draft.id, expectedVersion: 2 });
      expect(signed).toMatchObject({ status: 'signed', version: 3 });
      expect(signed.signedAt).not.toBeNull();
      expect(await appCodeOf(a.client.doctor.clinical.notes.updateDraft.mutate({ id: draft.id, body: 'rewrite history' }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.doctor.clinical.notes.sign.mutate({ id: draft.id }))).toBe('CONFLICT');

      const amendment = await a.client.doctor2.clinical.notes.amend.mutate({ noteId: draft.id, body: 'Addendum: afebrile' });
      expect(amendment).toMatchObject({ amendsId: draft.id, status: 'draft', authorId: a.userId.doctor2, kind: 'soap', encounterId: encounter.id });
      await a.client.doctor2.clinical.notes.sign.mutate({ id: amendment.id });
      const original = await a.client.doctor.clinical.notes.get.query({ id: draft.id });
      expect(original).toEqual({ ...signed, amendedBy: [amendment.id] });
      const chart = await a.client.doctor.clinical.notes.list.query({ patientId: patientA });
      expect(chart.map((n) => n.id)).toEqual(expect.arrayContaining([draft.id, amendment.id]));
      expect((await a.client.doctor.clinical.notes.list.query({ encounterId: encounter.id })).map((n) => n.id)).toEqual([draft.id, amendment.id]);

      // Defence in depth: the database itself refuses to change a signed note, even for the system role.
      const tamper = server.databases.domains.clinical.system('test: tamper with a signed note', (sql) =>
        sql.execute(`UPDATE clinical.notes SET body = 'tampered' WHERE tenant_id = $1 AND id = $2`, [a.tenantId, draft.id]),
      );
      await expect(tamper).rejects.toMatchObject({ code: '23000' });
      expect((await a.client.doctor.clinical.notes.get.query({ id: draft.id })).body).toBe('S: cough for 3 days');
    });

    it('moves orders only along the state machine and refuses every other move with a CONFLICT naming both states', async () => {
      const encounter = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA });
      const order = await a.client.doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'imaging', code: '71046', description: 'Chest X-ray, 2 views' });
      expect(order).toMatchObject({ status: 'active', orderedBy: a.userId.doctor, patientId: patientA, version: 1 });
      const move = (id: string, to: 'draft' | 'active' | 'on_hold' | 'completed' | 'cancelled') => a.client.doctor.clinical.orders.transition.mutate({ id, to });

      expect(await move(order.id, 'on_hold')).toMatchObject({ status: 'on_hold' });
      expect(await move(order.id, 'active')).toMatchObject({ status: 'active' });
      expect(await move(order.id, 'completed')).toMatchObject({ status: 'completed', version: 4 });
      expect(await appCodeOf(move(order.id, 'active'))).toBe('CONFLICT');
      expect(await messageOf(move(order.id, 'active'))).toBe('This order is completed and cannot become active: it is final and cannot change any more.');

      const draft = await a.client.doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '4548-4', description: 'HbA1c', status: 'draft' });
      expect(await messageOf(move(draft.id, 'completed'))).toBe('This order is a draft and cannot become completed: it can only become active or cancelled.');
      expect(await messageOf(move(draft.id, 'draft'))).toBe('This order is already a draft.');
      await a.client.doctor.clinical.orders.transition.mutate({ id: draft.id, to: 'cancelled', reason: 'Duplicate' });

      const history = await a.client.doctor.clinical.orders.get.query({ id: order.id });
      expect(history.history.map((t) => [t.from, t.to])).toEqual([[null, 'active'], ['active', 'on_hold'], ['on_hold', 'active'], ['active', 'completed']]);
      expect((await a.client.doctor.clinical.orders.list.query({ encounterId: encounter.id, status: 'cancelled' })).map((o) => o.id)).toEqual([draft.id]);

      await a.client.desk.clinical.encounters.close.mutate({ id: encounter.id });
      expect(await appCodeOf(a.client.doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '1', description: 'late' }))).toBe('CONFLICT');
    });

    it('gives each role only its capabilities: no note or order contents for the front desk, no encounters for IT', async () => {
      const encounter = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA });
      const note = await a.client.doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'progress', body: 'Confidential finding' });
      const order = await a.client.doctor.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '2345-7', description: 'Glucose' });
      const denied = [
        () => a.client.desk.clinical.notes.get.query({ id: note.id }),
        () => a.client.desk.clinical.notes.list.query({ encounterId: encounter.id }),
        () => a.client.desk.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'other', body: 'x' }),
        () => a.client.desk.clinical.orders.list.query({ encounterId: encounter.id }),
        () => a.client.desk.clinical.orders.get.query({ id: order.id }),
        () => a.client.desk.clinical.orders.place.mutate({ encounterId: encounter.id, kind: 'lab', code: '1', description: 'x' }),
        () => a.client.tech.clinical.encounters.list.query({}),
        () => a.client.tech.clinical.encounters.get.query({ id: encounter.id }),
        () => a.client.admin.clinical.encounters.get.query({ id: encounter.id }),
        () => a.client.admin.clinical.notes.get.query({ id: note.id }),
        () => a.client.admin.clinical.orders.transition.mutate({ id: order.id, to: 'cancelled' }),
      ];
      // Called one at a time, each answered with the same sentence and nothing else.
      for (const call of denied) expect(await messageOf(call())).toBe('Your role does not allow this.');
      expect(JSON.stringify(await a.client.desk.clinical.encounters.get.query({ id: encounter.id }))).not.toContain('Confidential');
    });

    it("answers B's ids from A's sessions like unknown ids (NOT_FOUND), changes nothing of B and audits the attempt", async () => {
      const before = {
        note: await b.client.doctor.clinical.notes.get.query({ id: bIds.note }),
        draft: await b.client.doctor.clinical.notes.get.query({ id: bIds.draft }),
        order: await b.client.doctor.clinical.orders.get.query({ id: bIds.order }),
        encounter: await b.client.doctor.clinical.encounters.get.query({ id: bIds.encounter }),
      };
      const doctor = a.client.doctor;
      for (const unknown of [false, true]) {
        const id = (key: keyof typeof bIds) => (unknown ? uuidv7() : bIds[key]);
        const attempts = [
          doctor.clinical.encounters.get.query({ id: id('encounter') }),
          doctor.clinical.encounters.close.mutate({ id: id('encounter') }),
          doctor.clinical.encounters.list.query({ patientId: id('patient') }),
          doctor.clinical.notes.get.query({ id: id('note') }),
          doctor.clinical.notes.list.query({ encounterId: id('encounter') }),
          doctor.clinical.notes.list.query({ patientId: id('patient') }),
          doctor.clinical.notes.createDraft.mutate({ encounterId: id('encounter'), kind: 'progress', body: 'planted' }),
          doctor.clinical.notes.updateDraft.mutate({ id: id('draft'), body: 'overwritten' }),
          doctor.clinical.notes.sign.mutate({ id: id('draft') }),
          doctor.clinical.notes.amend.mutate({ noteId: id('note'), body: 'planted amendment' }),
          doctor.clinical.orders.get.query({ id: id('order') }),
          doctor.clinical.orders.list.query({ encounterId: id('encounter') }),
          doctor.clinical.orders.list.query({ patientId: id('patient') }),
          doctor.clinical.orders.place.mutate({ encounterId: id('encounter'), kind: 'lab', code: '1', description: 'planted' }),
          doctor.clinical.orders.transition.mutate({ id: id('order'), to: 'cancelled' }),
        ];
        const codes = await Promise.all(attempts.map(appCodeOf));
        expect(codes).toEqual(attempts.map(() => 'NOT_FOUND'));
      }
      expect({
        note: await b.client.doctor.clinical.notes.get.query({ id: bIds.note }),
        draft: await b.client.doctor.clinical.notes.get.query({ id: bIds.draft }),
        order: await b.client.doctor.clinical.orders.get.query({ id: bIds.order }),
        encounter: await b.client.doctor.clinical.encounters.get.query({ id: bIds.encounter }),
      }).toEqual(before);
      expect(await b.client.doctor.clinical.notes.list.query({ encounterId: bIds.encounter })).toHaveLength(2);

      const aSees = JSON.stringify([await doctor.clinical.encounters.list.query({ limit: 500 }), await doctor.clinical.notes.list.query({ patientId: patientA })]);
      for (const id of Object.values(bIds)) expect(aSees).not.toContain(id);
      expect(aSees).not.toMatch(/B secret|B draft|B glucose/);

      const audited = await server.databases.inspect('audit', (sql) =>
        sql.query<{ outcome: string; error_code: string; entity: string }>(
          `SELECT outcome, error_code, entity FROM audit.events WHERE tenant_id = $1 AND action = 'clinical.notes.get' AND $2 = ANY (ids)`,
          [a.tenantId, bIds.note],
        ),
      );
      expect(audited).toContainEqual({ outcome: 'error', error_code: 'NOT_FOUND', entity: 'note' });
    });

    it('refuses unknown keys, control characters and oversized notes', async () => {
      const encounter = await a.client.desk.clinical.encounters.open.mutate({ patientId: patientA });
      const create = (input: Record<string, unknown>) =>
        appCodeOf(a.client.doctor.clinical.notes.createDraft.mutate({ encounterId: encounter.id, kind: 'progress', body: 'ok', ...input } as { encounterId: string; kind: 'progress'; body: string }));
      expect(await create({ tenantId: b.tenantId })).toBe('VALIDATION');
      expect(await create({ body: 'nul\u0000byte' })).toBe('VALIDATION');
      expect(await create({ body: 'x'.repeat(20_001) })).toBe('VALIDATION');
      expect(await create({ body: '   ' })).toBe('VALIDATION');
      expect(await create({ body: "line 1\nline 2\t'); DROP TABLE clinical.notes;--" })).toBeUndefined();
      expect(await appCodeOf(a.client.doctor.clinical.notes.list.query({ encounterId: encounter.id, patientId: patientA }))).toBe('VALIDATION');
    });
  });
}
