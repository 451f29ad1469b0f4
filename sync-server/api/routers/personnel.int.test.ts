import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { PersonnelService } from '../../domains/personnel/staff.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, startTestServer, type TestServer } from '../../testing/harness.ts';
import { ONE_PER_ROLE, orgWithUsers, type RoleOrg } from './test-support/domain-orgs.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/personnel (PostgreSQL)'), testPostgresUrl());

/** Valid NPIs (Luhn over 80840 + the first nine digits). */
const NPI_1 = '1234567893';
const NPI_2 = '1245319599';

for (const engine of engines) {
  describe.skipIf(!engine.available)(`personnel procedures (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let b: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let bDoctorId: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'pers-a', ONE_PER_ROLE), orgWithUsers(server, 'pers-b', ONE_PER_ROLE)]);
      const bDoctor = await b.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. Bee', isPractitioner: true, npi: NPI_1, jobRoles: ['physician'] });
      bDoctorId = bDoctor.id;
      await b.client.admin.personnel.licences.add.mutate({ staffId: bDoctorId, kind: 'dea', number: 'BB1234567', jurisdiction: 'US', expiresOn: '2031-01-31' });
    });
    afterAll(() => server?.stop());
    /** The service other domains call, over the server's own personnel database. */
    const personnel = () => new PersonnelService(server.databases.domains.personnel);

    it('creates, reads, updates and lists staff with job roles; practitionerExists answers for the org only', async () => {
      const created = await a.client.admin.personnel.staff.create.mutate({
        displayName: 'Dr. Ada',
        jobTitle: 'Family physician',
        isPractitioner: true,
        npi: NPI_1, // the same NPI as B's doctor: uniqueness is per org, so no clash tells A anything
        jobRoles: ['physician', 'manager'],
      });
      expect(created).toMatchObject({ displayName: 'Dr. Ada', isPractitioner: true, npi: NPI_1, active: true, jobRoles: ['manager', 'physician'], version: 1 });

      const updated = await a.client.admin.personnel.staff.update.mutate({ id: created.id, jobTitle: 'Medical director', jobRoles: ['physician'] });
      expect(updated).toMatchObject({ jobTitle: 'Medical director', jobRoles: ['physician'], npi: NPI_1, version: 2 });
      expect(await a.client.desk.personnel.staff.get.query({ id: created.id })).toEqual(updated);
      expect((await a.client.doctor.personnel.staff.list.query({ practitionersOnly: true })).map((s) => s.id)).toContain(created.id);

      expect(await personnel().practitionerExists(a.tenantId, created.id)).toBe(true);
      expect(await personnel().practitionerExists(a.tenantId, bDoctorId)).toBe(false);
      await a.client.admin.personnel.staff.update.mutate({ id: created.id, active: false });
      expect(await personnel().practitionerExists(a.tenantId, created.id)).toBe(false);
      expect((await a.client.desk.personnel.staff.list.query({})).map((s) => s.id)).not.toContain(created.id);
      expect((await a.client.desk.personnel.staff.list.query({ includeInactive: true })).map((s) => s.id)).toContain(created.id);
    });

    it('refuses a duplicate NPI inside the org (CONFLICT) and an NPI on a non-practitioner (VALIDATION)', async () => {
      await a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. Two', isPractitioner: true, npi: NPI_2 });
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. Copy', isPractitioner: true, npi: NPI_2 }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'Clerk', isPractitioner: false, npi: '1245319599' }))).toBe('VALIDATION');
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr. Typo', isPractitioner: true, npi: '1234567890' }))).toBe('VALIDATION');
      const clerk = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Clerk', isPractitioner: true });
      expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id: clerk.id, isPractitioner: false, npi: NPI_2 }))).toBe('VALIDATION');
    });

    it('adds and lists licences; a duplicate licence is a CONFLICT', async () => {
      const nurse = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Nurse Nia', isPractitioner: false, jobRoles: ['nurse'] });
      const licence = await a.client.admin.personnel.licences.add.mutate({ staffId: nurse.id, kind: 'state_licence', number: 'RN-4411', jurisdiction: 'CA', expiresOn: '2030-06-30' });
      expect(licence).toMatchObject({ staffId: nurse.id, kind: 'state_licence', number: 'RN-4411', jurisdiction: 'CA', expiresOn: '2030-06-30' });
      expect(await a.client.desk.personnel.licences.list.query({ staffId: nurse.id })).toEqual([licence]);
      expect(await appCodeOf(a.client.admin.personnel.licences.add.mutate({ staffId: nurse.id, kind: 'state_licence', number: 'RN-4411', jurisdiction: 'CA', expiresOn: '2031-06-30' }))).toBe('CONFLICT');
    });

    it('lets only org admins write personnel and keeps it_admin from reading it', async () => {
      expect(await appCodeOf(a.client.desk.personnel.staff.create.mutate({ displayName: 'Sneaky', isPractitioner: false }))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.doctor.personnel.staff.create.mutate({ displayName: 'Sneaky', isPractitioner: false }))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.tech.personnel.staff.list.query({}))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.tech.personnel.licences.list.query({ staffId: uuidv7() }))).toBe('FORBIDDEN');
    });

    it("answers B's ids from A's session exactly like unknown ids (NOT_FOUND) and leaves B unchanged", async () => {
      const before = await b.client.admin.personnel.staff.get.query({ id: bDoctorId });
      for (const id of [bDoctorId, uuidv7()]) {
        expect(await appCodeOf(a.client.admin.personnel.staff.get.query({ id }))).toBe('NOT_FOUND');
        expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id, displayName: 'Hijacked', active: false }))).toBe('NOT_FOUND');
        expect(await appCodeOf(a.client.admin.personnel.licences.list.query({ staffId: id }))).toBe('NOT_FOUND');
        expect(await appCodeOf(a.client.admin.personnel.licences.add.mutate({ staffId: id, kind: 'other', number: 'X1', jurisdiction: 'NY', expiresOn: '2030-01-01' }))).toBe('NOT_FOUND');
      }
      expect(await b.client.admin.personnel.staff.get.query({ id: bDoctorId })).toEqual(before);
      expect(await b.client.admin.personnel.licences.list.query({ staffId: bDoctorId })).toHaveLength(1);
      expect((await a.client.admin.personnel.staff.list.query({ includeInactive: true })).map((s) => s.id)).not.toContain(bDoctorId);
      expect(JSON.stringify(await a.client.admin.personnel.staff.list.query({ includeInactive: true }))).not.toContain('Dr. Bee');
    });

    it('refuses unknown keys and overlong text (strict, bounded inputs)', async () => {
      const extra = { displayName: 'Dr. Extra', isPractitioner: false, tenantId: b.tenantId } as unknown as { displayName: string; isPractitioner: boolean };
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate(extra))).toBe('VALIDATION');
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'x'.repeat(101), isPractitioner: false }))).toBe('VALIDATION');
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: "Robert'); DROP TABLE personnel.staff;--", isPractitioner: false }))).toBeUndefined();
      expect((await a.client.admin.personnel.staff.list.query({})).length).toBeGreaterThan(0);
    });
  });
}
