import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { FAILED_LINKS_PER_HOUR } from './link-attempts.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, appointmentFields, createOrg, patientFields, signedIn, startTestServer, type SyncClient, type TestDevice, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/master_data/patient-linking (PostgreSQL)'), testPostgresUrl());

/** What a caller learns from a refusal: code, sentence, and how long it took. */
async function refusal(call: Promise<unknown>): Promise<{ code: string | undefined; message: string; ms: number }> {
  const started = Date.now();
  try {
    await call;
  } catch (error) {
    return { code: await appCodeOf(Promise.reject(error)), message: (error as Error).message, ms: Date.now() - started };
  }
  throw new Error('expected the call to fail');
}
const answer = async (call: Promise<unknown>) => {
  const { code, message } = await refusal(call);
  return { code, message };
};

const NO_MATCH = { code: 'NOT_FOUND', message: 'No patient matched these details. Please check them with the patient and try again.' };
const ADA = { givenName: 'Ada', familyName: 'Lovelace', birthDate: '1975-12-10', sex: 'female', phone: '555-0199' };
/** The identity half of the evidence for Ada (the identifier comes separately). */
const ADA_NAMES = { givenName: ADA.givenName, familyName: ADA.familyName, birthDate: ADA.birthDate };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`patients procedures and strong-evidence linking (${engine.name})`, () => {
    let server: TestServer;
    const orgs: Record<string, { client: SyncClient; device: TestDevice; tenantId: string; code: string }> = {};
    let ada: string;

    const org = async (code: string) => {
      const created = await createOrg(server, code);
      const { client, device } = await signedIn(server, { code, ...created });
      orgs[code] = { client, device, tenantId: created.tenantId, code };
      return orgs[code]!;
    };

    beforeAll(async () => {
      server = await startTestServer(engine);
      for (const code of ['link-a', 'link-b', 'link-c', 'link-d', 'link-e']) await org(code);
      const a = orgs['link-a']!;
      ada = uuidv7();
      await a.device.push(a.device.mutation('patient', ada, patientFields({ ...ADA, mrn: 'A-ADA' })));
      await a.device.push(a.device.mutation('patient', uuidv7(), patientFields({ givenName: 'Grace', familyName: 'Hopper', birthDate: '1906-12-09', phone: '(555) 010-2000', mrn: 'A-GRACE' })));
      await a.client.patients.identifiers.add.mutate({ patientId: ada, system: 'national_id', value: '123-45-6789' });
    });
    afterAll(() => server?.stop());

    it("lists, gets and searches the org's own patients by name, birth date, MRN and phone", async () => {
      const { client } = orgs['link-a']!;
      const listed = await client.patients.list.query();
      expect(listed.map((p) => p.familyName).sort()).toEqual(['Hopper', 'Lovelace']);
      const page = await client.patients.list.query({ limit: 1 });
      expect(await client.patients.list.query({ after: page[0]!.id })).toHaveLength(1);

      expect(await client.patients.get.query({ id: ada })).toEqual({ id: ada, ...ADA, mrn: 'A-ADA', identifiers: [{ system: 'national_id', value: '123456789' }] });
      const names = async (input: Parameters<SyncClient['patients']['search']['query']>[0]) => (await client.patients.search.query(input)).map((p) => p.familyName);
      expect(await names({ name: 'ada love' })).toEqual(['Lovelace']);
      expect(await names({ name: 'HOP' })).toEqual(['Hopper']);
      expect(await names({ birthDate: '1906-12-09' })).toEqual(['Hopper']);
      expect(await names({ mrn: 'a-ada' })).toEqual(['Lovelace']);
      expect(await names({ phone: '5550102000' })).toEqual(['Hopper']);
      expect(await names({ name: 'ada', birthDate: '1906-12-09' })).toEqual([]);
      expect(await appCodeOf(client.patients.search.query({}))).toBe('VALIDATION');
    });

    it('links an existing patient on identifier + names + birth date; the new org sees its own MRN and identifiers only', async () => {
      const a = orgs['link-a']!;
      const b = orgs['link-b']!;
      expect(await answer(b.client.patients.get.query({ id: ada }))).toEqual(await answer(b.client.patients.get.query({ id: uuidv7() })));
      expect(await b.client.patients.search.query({ name: 'Lovelace' })).toEqual([]);
      const { cursor } = await b.device.pullAll('master_data');

      // Formatting and case differ from what A typed; the evidence is the same.
      const linked = await b.client.patients.linkExisting.mutate({ system: 'national_id', value: '123 45 6789', givenName: 'ADA', familyName: 'lovelace', birthDate: ADA.birthDate, mrn: 'B-77' });
      expect(linked).toEqual({ id: ada, ...ADA, mrn: 'B-77', identifiers: [{ system: 'national_id', value: '123456789' }] });
      const pulled = await b.device.pull('master_data', cursor);
      expect(pulled.changes).toEqual([expect.objectContaining({ id: ada, op: 'upsert', fields: expect.objectContaining({ familyName: 'Lovelace', mrn: 'B-77' }) })]);

      // A records an insurance member id and books an appointment; neither reaches B through the shared patient.
      await a.client.patients.identifiers.add.mutate({ patientId: ada, system: 'insurance_member_id', value: 'XQZ-99123' });
      await a.device.push(a.device.mutation('appointment', uuidv7(), appointmentFields(ada, { reason: 'A-only visit' })));
      const seenByB = await b.client.patients.get.query({ id: ada });
      expect(seenByB.identifiers).toEqual([{ system: 'national_id', value: '123456789' }]);
      expect(JSON.stringify(seenByB)).not.toMatch(/XQZ|A-ADA/);
      expect(JSON.stringify(await b.device.pullAll('scheduling'))).not.toContain('A-only visit');
      expect(JSON.stringify(await b.client.scheduling.appointments.list.query({ from: '2030-01-01T00:00:00Z', to: '2030-02-01T00:00:00Z' }))).not.toContain(ada);
      expect((await a.client.patients.get.query({ id: ada })).identifiers).toHaveLength(2);

      expect(await answer(b.client.patients.linkExisting.mutate({ system: 'national_id', value: '123456789', ...ADA_NAMES, mrn: 'B-78' }))).toEqual({
        code: 'CONFLICT',
        message: 'This patient is already registered in this organization.',
      });
    });

    it('answers a link with any one wrong field exactly like an unknown identifier, no faster', async () => {
      const { client } = orgs['link-c']!;
      const evidence = { system: 'national_id' as const, value: '123456789', givenName: 'Ada', familyName: 'Lovelace', birthDate: ADA.birthDate, mrn: 'C-1' };
      const unknown = await refusal(client.patients.linkExisting.mutate({ ...evidence, value: '999999999' }));
      expect({ code: unknown.code, message: unknown.message }).toEqual(NO_MATCH);
      const variants = [
        { givenName: 'Adah' },
        { familyName: 'Lovelace-King' },
        { birthDate: '1975-12-11' },
        { value: '123456780' },
        { system: 'passport' as const },
      ];
      for (const wrong of variants) {
        const result = await refusal(client.patients.linkExisting.mutate({ ...evidence, ...wrong }));
        expect({ code: result.code, message: result.message }, JSON.stringify(wrong)).toEqual(NO_MATCH);
        expect(result.ms).toBeGreaterThanOrEqual(290);
      }
      expect(unknown.ms).toBeGreaterThanOrEqual(290);
      expect(await client.patients.list.query()).toEqual([]);
      expect(await answer(client.patients.get.query({ id: ada }))).toMatchObject({ code: 'NOT_FOUND' });
    });

    it('links by a patient-held code + birth date, once; wrong birth date, reuse, expiry and revocation all get the no-match answer', async () => {
      const a = orgs['link-a']!;
      const d = orgs['link-d']!;
      const issued = await a.client.patients.linkCode.issue.mutate({ patientId: ada });
      expect(issued.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
      expect(Date.parse(issued.expiresAt) - Date.now()).toBeGreaterThan(71 * 3_600_000);

      expect(await answer(d.client.patients.linkByCode.mutate({ code: issued.code, birthDate: '1975-12-11', mrn: 'D-1' }))).toEqual(NO_MATCH);
      expect(await answer(d.client.patients.linkByCode.mutate({ code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: ADA.birthDate, mrn: 'D-1' }))).toEqual(NO_MATCH);
      // Typed loosely (lower case, no dashes) it is the same code.
      const linked = await d.client.patients.linkByCode.mutate({ code: issued.code.replaceAll('-', '').toLowerCase(), birthDate: ADA.birthDate, mrn: 'D-1' });
      expect(linked).toMatchObject({ id: ada, mrn: 'D-1', identifiers: [] });
      const e = orgs['link-e']!;
      expect(await answer(e.client.patients.linkByCode.mutate({ code: issued.code, birthDate: ADA.birthDate, mrn: 'E-1' }))).toEqual(NO_MATCH);

      // Issuing a new code revokes the previous unused one.
      const first = await a.client.patients.linkCode.issue.mutate({ patientId: ada });
      const second = await a.client.patients.linkCode.issue.mutate({ patientId: ada });
      expect(await answer(e.client.patients.linkByCode.mutate({ code: first.code, birthDate: ADA.birthDate, mrn: 'E-1' }))).toEqual(NO_MATCH);

      // An expired code is dead.
      await server.databases.domains.master_data.system('test: age a link code', (sql) =>
        sql.execute("UPDATE master_data.link_codes SET expires_at = now() - interval '1 minute' WHERE tenant_id = $1 AND used_at IS NULL AND revoked_at IS NULL", [a.tenantId]),
      );
      expect(await answer(e.client.patients.linkByCode.mutate({ code: second.code, birthDate: ADA.birthDate, mrn: 'E-1' }))).toEqual(NO_MATCH);

      // Three wrong birth dates burn a code.
      const third = await a.client.patients.linkCode.issue.mutate({ patientId: ada, ttlHours: 1 });
      for (const day of ['01', '02', '03']) await e.client.patients.linkByCode.mutate({ code: third.code, birthDate: `1975-12-${day}`, mrn: 'E-1' }).catch(() => undefined);
      expect(await answer(e.client.patients.linkByCode.mutate({ code: third.code, birthDate: ADA.birthDate, mrn: 'E-1' }))).toEqual(NO_MATCH);
      expect(await e.client.patients.list.query()).toEqual([]);

      // Only an org linked to the patient can issue a code for it.
      expect(await answer(e.client.patients.linkCode.issue.mutate({ patientId: ada }))).toEqual(await answer(e.client.patients.linkCode.issue.mutate({ patientId: uuidv7() })));
    });

    it("keeps A's identifiers, MRN and ids out of reach of an org not linked to the patient", async () => {
      const e = orgs['link-e']!;
      const random = uuidv7();
      expect(await answer(e.client.patients.identifiers.add.mutate({ patientId: ada, system: 'passport', value: 'P123' }))).toEqual(
        await answer(e.client.patients.identifiers.add.mutate({ patientId: random, system: 'passport', value: 'P123' })),
      );
      expect(await e.client.patients.search.query({ name: 'Ada' })).toEqual([]);
      const identifierRowsOfE = await server.admin.countRows({ domain: 'master_data', table: 'patient_identifiers', tenantId: e.tenantId });
      expect(identifierRowsOfE).toBe(0);
      expect((await orgs['link-a']!.client.patients.get.query({ id: ada })).identifiers.map((i) => i.system).sort()).toEqual(['insurance_member_id', 'national_id']);
    });

    it(`refuses linking with RATE_LIMITED after ${FAILED_LINKS_PER_HOUR} failed attempts in an hour, even with the right evidence`, async () => {
      const f = await org('link-f');
      const guesses = Array.from({ length: FAILED_LINKS_PER_HOUR + 5 }, (_, i) =>
        answer(f.client.patients.linkExisting.mutate({ system: 'national_id', value: `55500${String(i).padStart(4, '0')}`, givenName: 'Ada', familyName: 'Lovelace', birthDate: ADA.birthDate, mrn: 'F-1' })),
      );
      const answers = await Promise.all(guesses);
      expect(answers.filter((x) => x.code === 'NOT_FOUND')).toHaveLength(FAILED_LINKS_PER_HOUR);
      expect(answers.filter((x) => x.code === 'RATE_LIMITED')).toHaveLength(5);
      expect(await answer(f.client.patients.linkExisting.mutate({ system: 'national_id', value: '123456789', ...ADA_NAMES, mrn: 'F-1' }))).toMatchObject({ code: 'RATE_LIMITED' });
      expect(await answer(f.client.patients.linkByCode.mutate({ code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: ADA.birthDate, mrn: 'F-1' }))).toMatchObject({ code: 'RATE_LIMITED' });
      // Another org's budget is its own.
      const g = await org('link-g');
      expect(await answer(g.client.patients.linkExisting.mutate({ system: 'national_id', value: '1', ...ADA_NAMES, mrn: 'G-1' }))).toEqual(NO_MATCH);
    });

    it('lets each role do only what its capabilities say', async () => {
      const a = orgs['link-a']!;
      const users = {
        it: { username: 'it', password: 'it-admin-password-1', displayName: 'IT', role: 'it_admin' as const },
        doc: { username: 'doc', password: 'clinician-password-1', displayName: 'Doc', role: 'clinician' as const },
        admin: { username: 'boss', password: 'org-admin-password-1', displayName: 'Boss', role: 'org_admin' as const },
      };
      const clients: Record<string, SyncClient> = {};
      for (const [key, user] of Object.entries(users)) {
        await server.admin.createUser({ tenantId: a.tenantId, ...user });
        clients[key] = (await signedIn(server, { code: a.code, ...user })).client;
      }
      expect(await appCodeOf(clients.it!.patients.list.query())).toBe('FORBIDDEN');
      expect(await appCodeOf(clients.it!.patients.get.query({ id: ada }))).toBe('FORBIDDEN');
      expect(await appCodeOf(clients.it!.patients.search.query({ name: 'Ada' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(clients.doc!.patients.linkExisting.mutate({ system: 'national_id', value: '1', ...ADA_NAMES, mrn: 'X' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(clients.admin!.patients.identifiers.add.mutate({ patientId: ada, system: 'passport', value: 'P1' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(clients.admin!.patients.linkCode.issue.mutate({ patientId: ada }))).toBe('FORBIDDEN');
      expect((await clients.admin!.patients.get.query({ id: ada })).id).toBe(ada);
    });

    it('refuses loose or unbounded input with VALIDATION before anything is matched', async () => {
      const { client } = orgs['link-g']!;
      const untyped = client.patients as unknown as Record<string, { mutate(i: unknown): Promise<unknown>; query(i: unknown): Promise<unknown> }>;
      const evidence = { system: 'national_id', value: '123456789', ...ADA_NAMES, mrn: 'G-2' };
      expect(await appCodeOf(untyped.linkExisting!.mutate({ ...evidence, tenantId: uuidv7() }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.linkExisting!.mutate({ ...evidence, givenName: "Ada' OR 1=1 --" }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.linkExisting!.mutate({ ...evidence, value: '%' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.linkExisting!.mutate({ ...evidence, system: 'ssn' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.linkByCode!.mutate({ code: 'abc\u0000def', birthDate: ADA.birthDate, mrn: '' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.search!.query({ name: '%_%' }))).toBe('VALIDATION');
      expect(await appCodeOf(untyped.list!.query({ limit: 10_000 }))).toBe('VALIDATION');
      expect(await appCodeOf(client.patients.linkCode.issue.mutate({ patientId: ada, ttlHours: 24 * 365 }))).toBe('VALIDATION');
    });
  });
}
