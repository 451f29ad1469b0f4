import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { ROLES, type Role, type SessionInfo } from '../../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, startTestServer, syncClient, type SyncClient, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/admin (PostgreSQL)'), testPostgresUrl());

interface Staff {
  session: SessionInfo;
  client: SyncClient;
  deviceId: string;
  password: string;
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`admin.users and admin.devices (${engine.name})`, () => {
    let server: TestServer;
    const suffix = uuidv7().slice(-6);
    const orgs = { a: { code: `adm-a-${suffix}`, tenantId: '' }, b: { code: `adm-b-${suffix}`, tenantId: '' } };
    const staff = { a: {} as Record<Role, Staff>, b: {} as Record<Role, Staff> };

    const signIn = async (code: string, username: string, password: string, deviceId = uuidv7()): Promise<Staff> => {
      const session = await syncClient(server.url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, org: code, username, password, deviceId });
      return { session, client: syncClient(server.url, { tenantId: session.tenantId, token: session.token }), deviceId, password };
    };

    beforeAll(async () => {
      server = await startTestServer(engine);
      for (const key of ['a', 'b'] as const) {
        const { tenantId } = await server.admin.createTenant({ code: orgs[key].code, name: `Admin clinic ${key}` });
        orgs[key].tenantId = tenantId;
        for (const role of ROLES) {
          const password = `pw-${key}-${role}-${uuidv7().slice(-8)}`;
          await server.admin.createUser({ tenantId, username: role.replace('_', ''), password, displayName: `Staff ${role}`, role });
          staff[key][role] = await signIn(orgs[key].code, role.replace('_', ''), password);
        }
      }
    });
    afterAll(() => server?.stop());

    it('refuses every admin procedure to front desk and clinician (FORBIDDEN)', async () => {
      for (const role of ['front_desk', 'clinician'] as const) {
        const { client } = staff.a[role];
        const calls = [
          () => client.admin.users.list.query(),
          () => client.admin.users.create.mutate({ login: 'mallory', password: 'long-enough-password', displayName: 'Mallory', role: 'it_admin' }),
          () => client.admin.users.grantRole.mutate({ userId: staff.a[role].session.userId, role: 'it_admin' }),
          () => client.admin.devices.list.query(),
          () => client.admin.devices.revoke.mutate({ deviceId: staff.a.it_admin.deviceId }),
          () => client.admin.devices.enrollmentToken.mutate({}),
        ];
        for (const call of calls) expect(await appCodeOf(call()), role).toBe('FORBIDDEN');
      }
      // org_admin holds users.manage but not devices.manage.
      expect(await appCodeOf(staff.a.org_admin.client.admin.devices.list.query())).toBe('FORBIDDEN');
      expect((await server.admin.showTenant(orgs.a.code)).members).toBe(ROLES.length);
    });

    it("lists the org's own members, never password hashes", async () => {
      const { users } = await staff.a.org_admin.client.admin.users.list.query();
      expect(users.map((user) => user.login).sort()).toEqual(['clinician', 'frontdesk', 'itadmin', 'orgadmin']);
      expect(users.every((user) => Object.keys(user).sort().join() === 'createdAt,disabled,displayName,locked,lockedAt,login,role,userId')).toBe(true);
      expect(users.every((user) => user.locked === false && user.lockedAt === null)).toBe(true);
      expect(JSON.stringify(users)).not.toMatch(/scrypt|password/i);
      expect(users.map((user) => user.userId)).not.toContain(staff.b.front_desk.session.userId);
    });

    it('creates users who can sign in, a taken login only within the org, and validates input', async () => {
      const admin = staff.a.org_admin.client;
      const created = await admin.admin.users.create.mutate({ login: ' Jo.Smith@Example.org ', password: 'a-long-password-1', displayName: 'Jo Smith', role: 'clinician' });
      expect(created).toMatchObject({ login: 'jo.smith@example.org', role: 'clinician', displayName: 'Jo Smith', disabled: false });
      expect((await signIn(orgs.a.code, 'jo.smith@example.org', 'a-long-password-1')).session.userId).toBe(created.userId);
      expect(await appCodeOf(admin.admin.users.create.mutate({ login: 'jo.smith@example.org', password: 'another-long-one', displayName: 'Jo', role: 'front_desk' }))).toBe('CONFLICT');
      // The same login in another org is simply another account: no answer depends on org A.
      const inB = await staff.b.org_admin.client.admin.users.create.mutate({ login: 'jo.smith@example.org', password: 'b-long-password-2', displayName: 'Jo B', role: 'front_desk' });
      expect(inB.userId).not.toBe(created.userId);
      expect(await appCodeOf(signIn(orgs.b.code, 'jo.smith@example.org', 'a-long-password-1'))).toBe('INVALID_CREDENTIALS');
      for (const bad of [
        { login: "x'; DROP TABLE tenant_info.accounts; --", password: 'a-long-password-1', displayName: 'X', role: 'front_desk' },
        { login: 'short-pw', password: 'short', displayName: 'X', role: 'front_desk' },
        { login: 'ctrl', password: 'a-long-password-1', displayName: 'Bad\u0000Name', role: 'front_desk' },
        { login: 'norole', password: 'a-long-password-1', displayName: 'X', role: 'superuser' },
      ]) {
        expect(await appCodeOf(admin.admin.users.create.mutate(bad as never))).toBe('VALIDATION');
      }
    });

    it('grants roles within the rules: no self-change, no management capability the granter lacks, no other org', async () => {
      const orgAdmin = staff.a.org_admin.client;
      const itAdmin = staff.a.it_admin.client;
      const desk = staff.a.front_desk;
      // No raising one's own role, nor minting or demoting an IT admin without devices.manage.
      expect(await appCodeOf(orgAdmin.admin.users.grantRole.mutate({ userId: staff.a.org_admin.session.userId, role: 'it_admin' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(itAdmin.admin.users.grantRole.mutate({ userId: staff.a.it_admin.session.userId, role: 'org_admin' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(orgAdmin.admin.users.grantRole.mutate({ userId: desk.session.userId, role: 'it_admin' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(orgAdmin.admin.users.grantRole.mutate({ userId: staff.a.it_admin.session.userId, role: 'front_desk' }))).toBe('FORBIDDEN');
      expect(await appCodeOf(orgAdmin.admin.users.create.mutate({ login: 'new-it', password: 'a-long-password-1', displayName: 'IT', role: 'it_admin' }))).toBe('FORBIDDEN');
      // Another org's user is answered exactly like a user that does not exist.
      const foreign = await appCodeOf(orgAdmin.admin.users.grantRole.mutate({ userId: staff.b.front_desk.session.userId, role: 'clinician' }));
      const missing = await appCodeOf(orgAdmin.admin.users.grantRole.mutate({ userId: uuidv7(), role: 'clinician' }));
      expect([foreign, missing]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect((await staff.b.org_admin.client.admin.users.list.query()).users.find((u) => u.login === 'frontdesk')?.role).toBe('front_desk');

      // A permitted grant takes effect on the member's live session at once.
      expect(await appCodeOf(desk.client.admin.users.list.query())).toBe('FORBIDDEN');
      expect(await orgAdmin.admin.users.grantRole.mutate({ userId: desk.session.userId, role: 'org_admin' })).toMatchObject({ role: 'org_admin' });
      expect((await desk.client.admin.users.list.query()).users.length).toBeGreaterThan(0);
      expect(await itAdmin.admin.users.grantRole.mutate({ userId: desk.session.userId, role: 'front_desk' })).toMatchObject({ role: 'front_desk' });
      expect(await appCodeOf(desk.client.admin.users.list.query())).toBe('FORBIDDEN');
    });

    it("lists and revokes the org's own devices only; revoking ends their sessions", async () => {
      const it_ = staff.a.it_admin;
      const { devices } = await it_.client.admin.devices.list.query();
      expect(devices.map((device) => device.deviceId)).toContain(staff.a.clinician.deviceId);
      expect(devices.map((device) => device.deviceId)).not.toContain(staff.b.clinician.deviceId);
      expect(devices.every((device) => device.enrolledVia === 'sign_in' && device.revokedAt === null)).toBe(true);

      expect(await appCodeOf(it_.client.admin.devices.revoke.mutate({ deviceId: staff.b.clinician.deviceId }))).toBe('NOT_FOUND');
      expect(await appCodeOf(it_.client.admin.devices.revoke.mutate({ deviceId: uuidv7() }))).toBe('NOT_FOUND');
      expect(await appCodeOf(it_.client.admin.devices.revoke.mutate({ deviceId: it_.deviceId }))).toBe('CONFLICT');
      expect(await staff.b.clinician.client.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' })).toBeTruthy();

      const victim = staff.a.clinician;
      expect(await it_.client.admin.devices.revoke.mutate({ deviceId: victim.deviceId })).toEqual({ ok: true, sessionsEnded: 1 });
      expect(await appCodeOf(victim.client.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }))).toBe('DEVICE_REVOKED');
      expect(await appCodeOf(signIn(orgs.a.code, 'clinician', victim.password, victim.deviceId))).toBe('DEVICE_REVOKED');
      expect(await appCodeOf(signIn(orgs.a.code, 'clinician', 'not-the-password', victim.deviceId))).toBe('INVALID_CREDENTIALS');
      const after = (await it_.client.admin.devices.list.query()).devices.find((device) => device.deviceId === victim.deviceId);
      expect(after?.revokedAt).not.toBeNull();
      staff.a.clinician = await signIn(orgs.a.code, 'clinician', victim.password);
    });

    it('issues one-time enrollment tokens bound to the org, with a bounded lifetime', async () => {
      const issued = await staff.a.it_admin.client.admin.devices.enrollmentToken.mutate({ ttlMinutes: 30 });
      expect(issued.token.startsWith(`ce1.${orgs.a.tenantId}.`)).toBe(true);
      const minutes = (Date.parse(issued.expiresAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(29);
      expect(minutes).toBeLessThanOrEqual(30);
      expect(await appCodeOf(staff.a.it_admin.client.admin.devices.enrollmentToken.mutate({ ttlMinutes: 100_000 }))).toBe('VALIDATION');
      const stored = await server.databases.inspect('tenant_info', (sql) =>
        sql.query<{ token_hash: string }>('SELECT token_hash FROM tenant_info.enrollment_tokens WHERE tenant_id = $1', [orgs.a.tenantId]),
      );
      expect(stored.length).toBe(1);
      expect(JSON.stringify(stored)).not.toContain(issued.token.split('.')[2]);
    });
  });
}
