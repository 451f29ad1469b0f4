import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Role, SessionInfo } from '../../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, startTestServer, refusalOf, syncClient, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/auth-namespaces (PostgreSQL)'), testPostgresUrl());

interface Person {
  login: string;
  password: string;
}


for (const engine of engines) {
  describe.skipIf(!engine.available)(`sign-in namespaces, memberships and org switching (${engine.name})`, () => {
    let server: TestServer;
    const suffix = uuidv7().slice(-6);
    const code = (name: string) => `${name}-${suffix}`;

    beforeAll(async () => {
      server = await startTestServer(engine);
    });
    afterAll(() => server?.stop());

    const org = async (name: string, namespace: 'shared' | 'own' = 'shared') => {
      const { tenantId } = await server.admin.createTenant({ code: code(name), name: `Clinic ${name}` });
      if (namespace === 'own') await server.admin.setAuthNamespace(tenantId, 'own');
      return { tenantId, code: code(name) };
    };
    const person = (login: string): Person => ({ login, password: `pw-${login}-${uuidv7().slice(-8)}` });
    const addUser = (tenantId: string, who: Person, role: Role = 'front_desk') =>
      server.admin.createUser({ tenantId, username: who.login, password: who.password, displayName: 'Staff Member', role });
    const signIn = (orgCode: string, who: Person, deviceId: string = uuidv7()) =>
      syncClient(server.url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, org: orgCode, username: who.login, password: who.password, deviceId });
    const clientOf = (session: SessionInfo) => syncClient(server.url, { tenantId: session.tenantId, token: session.token });
    const pullWith = (session: SessionInfo, tenantId = session.tenantId) =>
      syncClient(server.url, { tenantId, token: session.token }).sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' });

    it('keeps the same email in two own namespaces as two accounts, each signing in to its own org only', async () => {
      const north = await org('ns-north', 'own');
      const south = await org('ns-south', 'own');
      const inNorth = { login: 'Alex@Example.org', password: 'pw-north-alex-123' };
      const inSouth = { login: 'alex@example.org', password: 'pw-south-alex-456' };
      const a = await addUser(north.tenantId, inNorth);
      const b = await addUser(south.tenantId, inSouth);
      expect(a.userId).not.toBe(b.userId);

      const north1 = await signIn(north.code, { ...inNorth, login: ' ALEX@example.ORG ' });
      expect(north1).toMatchObject({ tenantId: north.tenantId, userId: a.userId });
      expect((await signIn(south.code, inSouth)).userId).toBe(b.userId);
      // Each password opens its own org only.
      expect(await appCodeOf(signIn(south.code, inNorth))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(signIn(north.code, inSouth))).toBe('INVALID_CREDENTIALS');
    });

    it('keeps a shared-namespace login and an own-namespace login apart', async () => {
      const shared = await org('mix-shared');
      const own = await org('mix-own', 'own');
      const sharedSam = person('sam');
      const ownSam = person('sam');
      await addUser(shared.tenantId, sharedSam);
      await addUser(own.tenantId, ownSam);
      expect(await appCodeOf(signIn(own.code, sharedSam))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(signIn(shared.code, ownSam))).toBe('INVALID_CREDENTIALS');
      expect((await signIn(own.code, ownSam)).tenantId).toBe(own.tenantId);
      expect((await signIn(shared.code, sharedSam)).tenantId).toBe(shared.tenantId);
    });

    it('lets a shared account with two memberships switch orgs; the new session works for the new org only', async () => {
      const first = await org('sw-first');
      const second = await org('sw-second');
      const other = await org('sw-other');
      const pat = person('pat@example.org');
      const { userId } = await addUser(first.tenantId, pat, 'front_desk');
      expect(await server.admin.grantRole({ tenantId: second.tenantId, username: pat.login, role: 'clinician' })).toEqual({ userId, role: 'clinician', added: true });
      await addUser(other.tenantId, person('someone-else'));

      const deviceId = uuidv7();
      const start = await signIn(first.code, pat, deviceId);
      const myOrgs = await clientOf(start).auth.myOrgs.query();
      expect(myOrgs.orgs).toEqual([
        { code: first.code, name: 'Clinic sw-first', current: true },
        { code: second.code, name: 'Clinic sw-second', current: false },
      ]);

      const switched = await clientOf(start).auth.switchOrg.mutate({ org: second.code.toUpperCase() });
      expect(switched).toMatchObject({ tenantId: second.tenantId, userId, role: 'clinician', tenantName: 'Clinic sw-second' });
      expect(switched.token.startsWith(`cs1.${second.tenantId}.`)).toBe(true);
      // Works in the new org, on the same device; refused when shown to the old one.
      expect(await pullWith(switched)).toMatchObject({ tenantId: second.tenantId });
      expect(await appCodeOf(pullWith(switched, first.tenantId))).toBe('TENANT_MISMATCH');
      expect((await server.admin.listDevices(second.tenantId)).map((device) => device.deviceId)).toEqual([deviceId]);
      // Nothing was revoked: the first session still works in the first org.
      expect(await pullWith(start)).toMatchObject({ tenantId: first.tenantId });
      // And back again, from the new session.
      expect((await clientOf(switched).auth.switchOrg.mutate({ org: first.code })).tenantId).toBe(first.tenantId);
    });

    it('refuses a switch to an unknown org, a non-member org and an own-namespace org with one answer', async () => {
      const home = await org('rf-home');
      const stranger = await org('rf-stranger');
      const ownOrg = await org('rf-own', 'own');
      const robin = person('robin');
      await addUser(home.tenantId, robin);
      await addUser(stranger.tenantId, person('robin'));
      await addUser(ownOrg.tenantId, robin);
      const session = await signIn(home.code, robin);
      const client = clientOf(session);
      const answers = [
        await refusalOf(client.auth.switchOrg.mutate({ org: 'no-such-org' })),
        await refusalOf(client.auth.switchOrg.mutate({ org: stranger.code })),
        await refusalOf(client.auth.switchOrg.mutate({ org: ownOrg.code })),
      ];
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toContain('"code":"NOT_FOUND"');
      expect(answers[0]).toContain('404');
      expect((await client.auth.myOrgs.query()).orgs.map((o) => o.code)).toEqual([home.code]);
    });

    it('never lets an own-namespace account into another org, even through a membership row planted by the owner', async () => {
      const own = await org('pl-own', 'own');
      const sharedTarget = await org('pl-shared');
      const ownTarget = await org('pl-own-target', 'own');
      const kim = person('kim');
      const { userId } = await addUser(own.tenantId, kim, 'org_admin');
      for (const target of [sharedTarget, ownTarget]) {
        await server.databases.inspect('tenant_info', (sql) =>
          sql.execute(`INSERT INTO tenant_info.memberships (tenant_id, account_id, login, role) VALUES ($1, $2, 'kim', 'org_admin')`, [target.tenantId, userId]),
        );
        expect(await appCodeOf(signIn(target.code, kim))).toBe('INVALID_CREDENTIALS');
      }
      const session = await signIn(own.code, kim);
      expect((await clientOf(session).auth.myOrgs.query()).orgs).toEqual([{ code: own.code, name: 'Clinic pl-own', current: true }]);
      expect(await appCodeOf(clientOf(session).auth.switchOrg.mutate({ org: sharedTarget.code }))).toBe('NOT_FOUND');

      // Returning the org to the shared namespace must not make the planted rows valid.
      const change = await server.admin.setAuthNamespace(own.tenantId, 'shared');
      expect(change.invalidMembershipsRemoved).toBe(2);
      expect(await appCodeOf(signIn(sharedTarget.code, kim))).toBe('INVALID_CREDENTIALS');
      expect((await signIn(own.code, kim)).userId).toBe(userId);
    });

    it('keeps everyone able to sign in across a tier switch to an own namespace and back', async () => {
      const clinic = await org('tier-clinic');
      const elsewhere = await org('tier-elsewhere');
      const solo = person('solo');
      const both = person('both@example.org');
      const { userId: soloId } = await addUser(clinic.tenantId, solo);
      const { userId: bothId } = await addUser(elsewhere.tenantId, both);
      await server.admin.grantRole({ tenantId: clinic.tenantId, username: both.login, role: 'clinician' });
      const soloBefore = await signIn(clinic.code, solo);
      const bothBefore = await signIn(clinic.code, both);

      const inward = await server.admin.setAuthNamespace(clinic.tenantId, 'own');
      expect(inward).toMatchObject({ from: 'shared', to: 'namespace', accountsMoved: 1, accountsCopied: 1 });
      expect((await server.admin.showTenant(clinic.code)).tier).toBe('namespace');
      // Sessions opened before the switch keep working.
      expect(await pullWith(soloBefore)).toMatchObject({ tenantId: clinic.tenantId });
      expect(await pullWith(bothBefore)).toMatchObject({ tenantId: clinic.tenantId });
      // Same passwords; the single-org account moved as it is, the multi-org one got a copy here.
      expect((await signIn(clinic.code, solo)).userId).toBe(soloId);
      const bothInClinic = await signIn(clinic.code, both);
      expect(bothInClinic.userId).not.toBe(bothId);
      expect(bothInClinic.role).toBe('clinician');
      const bothElsewhere = await signIn(elsewhere.code, both);
      expect(bothElsewhere.userId).toBe(bothId);
      // Switching into an own-namespace org is no longer possible, nor out of it.
      expect(await appCodeOf(clientOf(bothElsewhere).auth.switchOrg.mutate({ org: clinic.code }))).toBe('NOT_FOUND');
      expect(await appCodeOf(clientOf(bothInClinic).auth.switchOrg.mutate({ org: elsewhere.code }))).toBe('NOT_FOUND');

      const outward = await server.admin.setAuthNamespace(clinic.tenantId, 'shared');
      expect(outward).toMatchObject({ from: 'namespace', to: 'shared', accountsMoved: 1, accountsRejoined: 1 });
      expect((await signIn(clinic.code, solo)).userId).toBe(soloId);
      const rejoined = await signIn(clinic.code, both);
      expect(rejoined).toMatchObject({ userId: bothId, role: 'clinician' });
      expect(await pullWith(bothInClinic)).toMatchObject({ tenantId: clinic.tenantId });
      expect((await clientOf(rejoined).auth.switchOrg.mutate({ org: elsewhere.code })).tenantId).toBe(elsewhere.tenantId);
    });

    it('ends every session of a revoked device; it is told so (DEVICE_REVOKED) only with the right password or its own token', async () => {
      const clinic = await org('rv-clinic');
      const lee = person('lee');
      await addUser(clinic.tenantId, lee);
      const deviceId = uuidv7();
      const session = await signIn(clinic.code, lee, deviceId);
      const wrongPassword = await refusalOf(signIn(clinic.code, { ...lee, password: 'not-the-password' }));
      expect(await server.admin.revokeDevice({ tenantId: clinic.tenantId, deviceId })).toEqual({ sessionsEnded: 1 });
      expect(await appCodeOf(pullWith(session))).toBe('DEVICE_REVOKED');
      expect(await appCodeOf(signIn(clinic.code, lee, deviceId))).toBe('DEVICE_REVOKED');
      expect(await refusalOf(signIn(clinic.code, { ...lee, password: 'not-the-password' }, deviceId))).toBe(wrongPassword);
      expect((await signIn(clinic.code, lee)).tenantId).toBe(clinic.tenantId);
    });
  });
}
