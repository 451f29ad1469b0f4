import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../testing/engines.ts';
import { appCodeOf, appointmentFields, createOrg, patientFields, signedIn, startTestServer, type TestDevice, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/sync/push (PostgreSQL)'), testPostgresUrl());
const hlcAt = (ms: number, node: string) => formatHlc({ ms, counter: 0, node });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`sync.push (${engine.name})`, () => {
    let server: TestServer;
    let a: TestDevice;
    let a2: TestDevice;
    let b: TestDevice;
    let tenantA: string;
    let tenantB: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      const orgA = await createOrg(server, 'push-a');
      const orgB = await createOrg(server, 'push-b');
      tenantA = orgA.tenantId;
      tenantB = orgB.tenantId;
      a = (await signedIn(server, { code: 'push-a', ...orgA })).device;
      a2 = (await signedIn(server, { code: 'push-a', ...orgA })).device;
      b = (await signedIn(server, { code: 'push-b', ...orgB })).device;
    });
    afterAll(() => server?.stop());

    it('applies a mutation once; a replay is a duplicate and changes nothing', async () => {
      const id = uuidv7();
      const create = a.mutation('patient', id, patientFields({ mrn: 'A-100' }));
      const first = await a.push(create);
      expect(first.results).toEqual([{ mutationId: create.mutationId, status: 'applied' }]);
      const replay = await a.push(create, create);
      expect(replay.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: tenantA })).toBe(1);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'tenant_patients', tenantId: tenantA })).toBe(1);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'applied_mutations', tenantId: tenantA })).toBe(1);
      const { changes } = await a.pullAll('master_data');
      expect(changes.filter((c) => c.id === id)).toHaveLength(1);
      expect(changes.find((c) => c.id === id)?.version).toBe(2); // core v1 + link v1
    });

    it('merges concurrent edits field by field, last writer (by HLC) wins', async () => {
      const id = uuidv7();
      const base = Date.now();
      await a.push(a.mutation('patient', id, patientFields({ phone: '555-0000' }), 'upsert', hlcAt(base, 'dev-a')));
      // Device 2 edits givenName later; device 1's older phone edit arrives after it, and its givenName loses.
      const late = await a2.push(a2.mutation('patient', id, { givenName: 'Newer' }, 'upsert', hlcAt(base + 20, 'dev-b')));
      const early = await a.push(a.mutation('patient', id, { givenName: 'Older', phone: '555-0199' }, 'upsert', hlcAt(base + 10, 'dev-a')));
      expect([late.results[0]?.status, early.results[0]?.status]).toEqual(['applied', 'applied']);
      const change = (await a.pullAll('master_data')).changes.find((c) => c.id === id);
      expect(change?.fields).toMatchObject({ givenName: 'Newer', phone: '555-0199', familyName: 'Sampleton' });
      expect(change?.fieldHlc).toMatchObject({ givenName: hlcAt(base + 20, 'dev-b'), phone: hlcAt(base + 10, 'dev-a'), familyName: hlcAt(base, 'dev-a') });
      expect(change?.version).toBe(4); // core created, then two winning updates; link unchanged
    });

    it('creates an appointment for a linked patient, LWW on its fields, tombstones on delete', async () => {
      const patientId = uuidv7();
      const apptId = uuidv7();
      const result = await a.push(
        a.mutation('patient', patientId, patientFields()),
        a.mutation('appointment', apptId, appointmentFields(patientId)),
      );
      expect(result.results.map((r) => r.status)).toEqual(['applied', 'applied']);
      const wrongOrder = await a.push(a.mutation('appointment', apptId, { endsAt: '2030-01-07T08:00:00.000Z' }));
      expect(wrongOrder.results[0]).toMatchObject({ status: 'rejected', code: 'VALIDATION' });
      await a.push(a.mutation('appointment', apptId, { status: 'checked_in' }));
      let change = (await a.pullAll('scheduling')).changes.find((c) => c.id === apptId);
      expect(change).toMatchObject({ op: 'upsert', version: 2, fields: { status: 'checked_in', endsAt: '2030-01-07T09:30:00.000Z' } });
      await a.push(a.mutation('appointment', apptId, {}, 'delete'));
      change = (await a.pullAll('scheduling')).changes.find((c) => c.id === apptId);
      expect(change).toMatchObject({ op: 'delete', fields: null, version: 3 });
    });

    it('rejects a create without every field, and an appointment for a patient it does not have', async () => {
      const partial = await a.push(a.mutation('patient', uuidv7(), { givenName: 'Only' }));
      expect(partial.results[0]).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
      const orphan = await a.push(a.mutation('appointment', uuidv7(), appointmentFields(uuidv7())));
      expect(orphan.results[0]).toMatchObject({ status: 'rejected', code: 'NOT_FOUND' });
      // A rejected mutation is not recorded: fixed and sent again, it applies.
      const patientId = uuidv7();
      const appt = a.mutation('appointment', uuidv7(), appointmentFields(patientId));
      expect((await a.push(appt)).results[0]?.status).toBe('rejected');
      await a.push(a.mutation('patient', patientId, patientFields()));
      expect((await a.push(appt)).results[0]?.status).toBe('applied');
    });

    it("rejects another org's patient and appointment ids exactly like random ids, and leaves them untouched", async () => {
      const patientA = uuidv7();
      const apptA = uuidv7();
      await a.push(a.mutation('patient', patientA, patientFields({ familyName: 'Original' })), a.mutation('appointment', apptA, appointmentFields(patientA)));
      const before = await a.pullAll('master_data');

      const answer = async (...mutations: Parameters<TestDevice['push']>) => (await b.push(...mutations)).results.map(({ code, reason, status }) => ({ code, reason, status }));
      const guessedPatient = await answer(b.mutation('patient', patientA, { familyName: 'Hijacked' }));
      const randomPatient = await answer(b.mutation('patient', uuidv7(), { familyName: 'Hijacked' }));
      expect(guessedPatient).toEqual(randomPatient);
      const fullPatientOverOthersId = await answer(b.mutation('patient', patientA, patientFields({ familyName: 'Hijacked' })));
      expect(fullPatientOverOthersId).toEqual(randomPatient);
      expect(await answer(b.mutation('patient', patientA, {}, 'delete'))).toEqual(await answer(b.mutation('patient', uuidv7(), {}, 'delete')));

      const guessedAppt = await answer(b.mutation('appointment', apptA, { reason: 'Hijacked' }));
      expect(guessedAppt).toEqual(await answer(b.mutation('appointment', uuidv7(), { reason: 'Hijacked' })));
      expect(await answer(b.mutation('appointment', apptA, {}, 'delete'))).toEqual(await answer(b.mutation('appointment', uuidv7(), {}, 'delete')));
      // Booking org B's appointment on org A's patient is refused like an unknown patient.
      expect(await answer(b.mutation('appointment', uuidv7(), appointmentFields(patientA)))).toEqual(
        await answer(b.mutation('appointment', uuidv7(), appointmentFields(uuidv7()))),
      );

      const after = await a.pullAll('master_data');
      expect(after).toEqual(before);
      expect(JSON.stringify((await a.pullAll('scheduling')).changes.find((c) => c.id === apptA))).not.toContain('Hijacked');
      expect(JSON.stringify(await b.pullAll('master_data'))).not.toContain(patientA);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: tenantB })).toBe(0);
    });

    it('refuses a push from a device other than the session’s', async () => {
      const other = a.mutation('patient', uuidv7(), patientFields());
      const call = a.client.sync.push.mutate({ protocolVersion: 1, deviceId: uuidv7(), mutations: [other] });
      expect(await appCodeOf(call)).toBe('FORBIDDEN');
    });

    it('returns a server HLC ahead of what it received', async () => {
      const hlc = hlcAt(Date.now() + 60_000, 'dev-fast');
      const result = await a.push(a.mutation('patient', uuidv7(), patientFields(), 'upsert', hlc));
      expect(result.serverHlc > hlc).toBe(true);
    });
  });
}
