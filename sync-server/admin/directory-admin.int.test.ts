import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { IsolationTiers } from '../domains/tenant_info/isolation-tiers.ts';
import { testEngines } from '../testing/engines.ts';
import { startTestServer, syncClient, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/admin/directory-admin (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`directory admin (${engine.name})`, () => {
    let server: TestServer;
    const suffix = uuidv7().slice(-6);
    const code = (name: string) => `${name}-${suffix}`;
    const signIn = (org: string, username: string, password: string) =>
      syncClient(server.url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, org, username, password, deviceId: uuidv7() });

    beforeAll(async () => {
      server = await startTestServer(engine);
    });
    afterAll(() => server?.stop());

    it('lists tenants and shows one with its tier and counts, without people data', async () => {
      const { tenantId } = await server.admin.createTenant({ code: code('dir-show'), name: 'Show Clinic' });
      await server.admin.createUser({ tenantId, username: 'desk', password: 'desk-password-1', displayName: 'Desk Person', role: 'front_desk' });
      await signIn(code('dir-show'), 'desk', 'desk-password-1');
      const listed = (await server.admin.listTenants()).find((tenant) => tenant.tenantId === tenantId);
      expect(listed).toMatchObject({ code: code('dir-show'), name: 'Show Clinic', kind: 'human', status: 'active', tier: 'shared' });
      for (const key of [tenantId, code('dir-show')]) {
        const shown = await server.admin.showTenant(key);
        expect(shown).toMatchObject({ tenantId, tier: 'shared', members: 1, activeDevices: 1, activeSessions: 1 });
        expect(JSON.stringify(shown)).not.toContain('Desk Person');
      }
      await expect(server.admin.showTenant('no-such-org')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(server.admin.showTenant(uuidv7())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('adds a shared account to a second org by login, asking which one when several orgs have that login', async () => {
      const [one, two, three] = await Promise.all(
        ['dir-one', 'dir-two', 'dir-three'].map(async (name) => (await server.admin.createTenant({ code: code(name), name })).tenantId),
      );
      const first = await server.admin.createUser({ tenantId: one!, username: 'casey', password: 'casey-one-password', displayName: 'Casey', role: 'clinician' });
      await server.admin.createUser({ tenantId: two!, username: 'casey', password: 'casey-two-password', displayName: 'Other Casey', role: 'front_desk' });
      await expect(server.admin.grantRole({ tenantId: three!, username: 'casey', role: 'clinician' })).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await server.admin.grantRole({ tenantId: three!, username: 'Casey', role: 'clinician', fromOrg: code('dir-one') })).toEqual({
        userId: first.userId,
        role: 'clinician',
        added: true,
      });
      expect((await signIn(code('dir-three'), 'casey', 'casey-one-password')).userId).toBe(first.userId);
      // Now a member: the same call changes the role instead.
      expect(await server.admin.grantRole({ tenantId: three!, username: 'casey', role: 'org_admin' })).toEqual({ userId: first.userId, role: 'org_admin', added: false });
      await expect(server.admin.grantRole({ tenantId: three!, username: 'nobody-here', role: 'clinician' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('never adds an account to an org with its own namespace, nor one from an own namespace', async () => {
      const shared = (await server.admin.createTenant({ code: code('dir-sh'), name: 'Shared' })).tenantId;
      const own = (await server.admin.createTenant({ code: code('dir-own'), name: 'Own' })).tenantId;
      await server.admin.setAuthNamespace(own, 'own');
      await server.admin.createUser({ tenantId: shared, username: 'drew', password: 'drew-password-12', displayName: 'Drew', role: 'clinician' });
      await server.admin.createUser({ tenantId: own, username: 'ellis', password: 'ellis-password-12', displayName: 'Ellis', role: 'clinician' });
      await expect(server.admin.grantRole({ tenantId: own, username: 'drew', role: 'clinician' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(server.admin.grantRole({ tenantId: shared, username: 'ellis', role: 'clinician' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('keeps a dedicated org in its own namespace', async () => {
      const tenantId = (await server.admin.createTenant({ code: code('dir-ded'), name: 'Dedicated' })).tenantId;
      await server.admin.createUser({ tenantId, username: 'fran', password: 'fran-password-12', displayName: 'Fran', role: 'clinician' });
      await new IsolationTiers(server.databases.domains.tenant_info, () => undefined).set(tenantId, 'dedicated');
      await expect(server.admin.setAuthNamespace(tenantId, 'shared')).rejects.toMatchObject({ code: 'CONFLICT' });
      expect(await server.admin.setAuthNamespace(tenantId, 'own')).toMatchObject({ from: 'dedicated', to: 'dedicated' });
      expect((await signIn(code('dir-ded'), 'fran', 'fran-password-12')).tenantId).toBe(tenantId);
    });

    it('refuses bad operator input with VALIDATION and a taken login with CONFLICT', async () => {
      const tenantId = (await server.admin.createTenant({ code: code('dir-bad'), name: 'Bad input' })).tenantId;
      const user = { tenantId, username: 'gale', password: 'gale-password-12', displayName: 'Gale', role: 'front_desk' as const };
      for (const bad of [{ username: 'has space' }, { password: 'short' }, { displayName: '' }, { role: 'root' }]) {
        await expect(server.admin.createUser({ ...user, ...bad } as typeof user)).rejects.toMatchObject({ code: 'VALIDATION' });
      }
      await expect(server.admin.createUser({ ...user, tenantId: uuidv7() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await server.admin.createUser(user);
      await expect(server.admin.createUser({ ...user, username: 'GALE' })).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
}
