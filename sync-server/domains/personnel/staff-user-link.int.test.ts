import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { ONE_PER_ROLE, orgWithUsers, type RoleOrg } from '../../api/routers/test-support/domain-orgs.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, refusalOf, startTestServer, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/personnel staff-user link (PostgreSQL)'), testPostgresUrl());

/**
 * A staff record linked to one sign-in account of its own org: set and cleared by an org
 * admin through personnel.staff.create/update, checked against tenant_info (another
 * database) by a service call, audited, and carried by the personnel feed.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`personnel: staff linked to a user (${engine.name})`, () => {
    let server: TestServer;
    let a: RoleOrg<keyof typeof ONE_PER_ROLE>;
    let b: RoleOrg<keyof typeof ONE_PER_ROLE>;

    beforeAll(async () => {
      server = await startTestServer(engine);
      [a, b] = await Promise.all([orgWithUsers(server, 'link-a', ONE_PER_ROLE), orgWithUsers(server, 'link-b', ONE_PER_ROLE)]);
    });
    afterAll(() => server?.stop());

    it('links, relinks and unlinks an account of the org; the feed carries the link; each write is audited', async () => {
      const doctor = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Ada Lovelace', isPractitioner: true, userId: a.userId.doctor });
      expect(doctor).toMatchObject({ userId: a.userId.doctor, version: 1 });
      expect(await a.client.desk.personnel.staff.get.query({ id: doctor.id })).toMatchObject({ userId: a.userId.doctor });

      const { changes, cursor } = await a.device.doctor.pullAll('personnel');
      expect(changes.find((c) => c.id === doctor.id)?.fields).toMatchObject({ displayName: 'Dr Ada Lovelace', userId: a.userId.doctor });

      // The same account on a second record is refused; the first keeps it.
      const nurse = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Nurse Nia', isPractitioner: false });
      expect(nurse.userId).toBeNull();
      expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id: nurse.id, userId: a.userId.doctor }))).toBe('CONFLICT');
      expect(await appCodeOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Copy', isPractitioner: true, userId: a.userId.doctor }))).toBe('CONFLICT');
      // An edit that leaves the link alone keeps it.
      expect(await a.client.admin.personnel.staff.update.mutate({ id: doctor.id, jobTitle: 'GP' })).toMatchObject({ userId: a.userId.doctor, version: 2 });

      const unlinked = await a.client.admin.personnel.staff.update.mutate({ id: doctor.id, userId: null });
      expect(unlinked).toMatchObject({ userId: null, version: 3 });
      // Now the account is free for the nurse record.
      expect(await a.client.admin.personnel.staff.update.mutate({ id: nurse.id, userId: a.userId.doctor })).toMatchObject({ userId: a.userId.doctor });

      const next = await a.device.doctor.pull('personnel', cursor);
      const fieldsOf = (id: string) => next.changes.find((c) => c.id === id)?.fields;
      expect(fieldsOf(doctor.id)).toMatchObject({ userId: null });
      expect(fieldsOf(nurse.id)).toMatchObject({ userId: a.userId.doctor });

      const entries = (await server.admin.listAudit({ tenantId: a.tenantId, action: 'personnel.staff.update' })).entries.filter((e) => e.outcome === 'ok');
      expect(entries.map((e) => e.detail['linkedUserId'])).toEqual(expect.arrayContaining([a.userId.doctor, 'unlinked']));
      expect(entries.find((e) => e.detail['linkedUserId'] === 'unlinked')).toMatchObject({ entity: 'staff', ids: [doctor.id], actorUserId: a.userId.admin });
      const created = (await server.admin.listAudit({ tenantId: a.tenantId, action: 'personnel.staff.create' })).entries;
      expect(created.find((e) => e.outcome === 'ok' && e.ids.includes(doctor.id))?.detail).toMatchObject({ linkedUserId: a.userId.doctor });
    });

    it("refuses another org's user id exactly like a made-up one (NOT_FOUND, same sentence), and writes nothing", async () => {
      const staff = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Unlinked', isPractitioner: true });
      const answers = [];
      for (const userId of [b.userId.doctor, uuidv7()]) {
        answers.push([
          await refusalOf(a.client.admin.personnel.staff.update.mutate({ id: staff.id, userId })),
          await refusalOf(a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Sneaky', isPractitioner: true, userId })),
        ]);
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(JSON.parse(answers[0]![0]!)).toMatchObject({ code: 'NOT_FOUND', message: 'No such user in this organization.' });
      expect(answers[0]![1]).toBe(answers[0]![0]);
      expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id: staff.id, userId: b.userId.doctor }))).toBe('NOT_FOUND');
      expect(await a.client.admin.personnel.staff.get.query({ id: staff.id })).toMatchObject({ userId: null, version: 1 });
      expect((await a.client.admin.personnel.staff.list.query({ includeInactive: true })).map((s) => s.displayName)).not.toContain('Dr Sneaky');
      // B's own admin may link B's user: the account exists, just not in A.
      expect(await b.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Bee', isPractitioner: true, userId: b.userId.doctor })).toMatchObject({ userId: b.userId.doctor });
      // A staff id of B with A's user: NOT_FOUND too, and B's record untouched.
      const bStaff = (await b.client.admin.personnel.staff.list.query({})).find((s) => s.displayName === 'Dr Bee')!;
      expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id: bStaff.id, userId: a.userId.desk }))).toBe('NOT_FOUND');
      expect(await b.client.admin.personnel.staff.get.query({ id: bStaff.id })).toMatchObject({ userId: b.userId.doctor, version: 1 });
    });

    it('lets only org admins set the link, and refuses a malformed user id', async () => {
      const staff = await a.client.admin.personnel.staff.create.mutate({ displayName: 'Dr Guarded', isPractitioner: true });
      expect(await appCodeOf(a.client.doctor.personnel.staff.update.mutate({ id: staff.id, userId: a.userId.doctor }))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.desk.personnel.staff.update.mutate({ id: staff.id, userId: a.userId.desk }))).toBe('FORBIDDEN');
      expect(await appCodeOf(a.client.admin.personnel.staff.update.mutate({ id: staff.id, userId: 'not-an-id' }))).toBe('VALIDATION');
      expect(await a.client.admin.personnel.staff.get.query({ id: staff.id })).toMatchObject({ userId: null });
    });
  });
}
