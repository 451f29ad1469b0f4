import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { enrollResultSchema } from '../../../shared/sync/devices.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import { UNATTRIBUTED_TENANT_ID } from '../../audit/audit-trail.ts';
import { EnrollmentTokens } from '../../domains/tenant_info/enrollment-tokens.ts';
import { TenantDirectory } from '../../domains/tenant_info/tenants.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, createOrg, refusalOf, startTestServer, syncClient, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/devices-enroll (PostgreSQL)'), testPostgresUrl());


for (const engine of engines) {
  describe.skipIf(!engine.available)(`devices.enroll and enrolled sign-in (${engine.name})`, () => {
    let server: TestServer;
    let tenants: TenantDirectory;
    let tokens: EnrollmentTokens;
    const suffix = uuidv7().slice(-6);
    let one: { code: string; tenantId: string; username: string; password: string };
    let two: { code: string; tenantId: string; username: string; password: string };

    const enroll = (token: string, deviceId: string = uuidv7()) =>
      syncClient(server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION, token, deviceId, deviceName: 'Front desk 2' });
    const signIn = (org: typeof one, overrides: { deviceId?: string; deviceCredential?: string; password?: string } = {}) =>
      syncClient(server.url).auth.signIn.mutate({
        protocolVersion: PROTOCOL_VERSION,
        org: org.code,
        username: org.username,
        password: overrides.password ?? org.password,
        deviceId: overrides.deviceId ?? uuidv7(),
        ...(overrides.deviceCredential !== undefined ? { deviceCredential: overrides.deviceCredential } : {}),
      });
    const tokenFor = async (org: typeof one) => (await server.admin.issueEnrollmentToken({ tenantId: org.tenantId })).token;
    const newOrg = async (name: string) => {
      const code = `${name}-${suffix}`;
      return { code, ...(await createOrg(server, code)) };
    };

    beforeAll(async () => {
      server = await startTestServer(engine);
      tenants = new TenantDirectory(server.databases.domains.tenant_info);
      tokens = new EnrollmentTokens(server.databases.domains.tenant_info);
      one = await newOrg('enr-one');
      two = await newOrg('enr-two');
    });
    afterAll(() => server?.stop());

    it('enrolls a workstation once with a token of its org and hands out a credential bound to that org', async () => {
      const token = await tokenFor(one);
      const deviceId = uuidv7();
      const result = enrollResultSchema.parse(await enroll(token, deviceId));
      expect(result).toMatchObject({ tenantId: one.tenantId, orgCode: one.code, orgName: `Test org ${one.code}` });
      expect(result.deviceCredential).toMatch(new RegExp(`^cd1\\.${one.tenantId}\\.[A-Za-z0-9_-]{43}$`));
      const [device] = (await server.admin.listDevices(one.tenantId)).filter((d) => d.deviceId === deviceId);
      expect(device).toMatchObject({ enrolledVia: 'token', name: 'Front desk 2', revokedAt: null, wipedAt: null });
      // Only the credential's hash is stored.
      const stored = await server.databases.inspect('tenant_info', (sql) =>
        sql.query<{ credential_hash: string }>('SELECT credential_hash FROM tenant_info.devices WHERE tenant_id = $1 AND id = $2', [one.tenantId, deviceId]),
      );
      expect(stored[0]?.credential_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain(result.deviceCredential.split('.')[2]);
      // Audited in the org's chain: the device, and the token by id.
      const entries = (await server.admin.listAudit({ tenantId: one.tenantId, action: 'devices.enroll', outcome: 'ok' })).entries;
      expect(entries[0]).toMatchObject({ entity: 'device', ids: [deviceId] });
      expect(JSON.stringify(entries)).not.toContain(token);
      // Used up: the same token enrolls nothing more.
      expect(await appCodeOf(enroll(token))).toBe('INVALID_CREDENTIALS');
    });

    it('answers a used, an expired, a forged, a malformed and another org’s token alike, and changes nothing', async () => {
      const used = await tokenFor(one);
      await enroll(used);
      const expired = await tokenFor(one);
      expect(await tokens.expire(one.tenantId, expired)).toBe(true);
      const twos = await tokenFor(two);
      const devicesBefore = (await server.admin.listDevices(one.tenantId)).length;
      const answers = [
        await refusalOf(enroll(used)),
        await refusalOf(enroll(expired)),
        // Another org's secret re-addressed to this org.
        await refusalOf(enroll(`ce1.${one.tenantId}.${twos.split('.')[2]}`)),
        await refusalOf(enroll(`ce1.${one.tenantId}.${'A'.repeat(43)}`)),
        await refusalOf(enroll(`ce1.${uuidv7()}.${'A'.repeat(43)}`)),
      ];
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toContain('INVALID_CREDENTIALS');
      expect(answers[0]).toMatch(/enrollment token is not valid.*used.*expired.*another organization/);
      expect((await server.admin.listDevices(one.tenantId)).length).toBe(devicesBefore);
      // The re-addressed token still works for its own org.
      expect((await enroll(twos)).tenantId).toBe(two.tenantId);
      // A token naming no existing org is filed in the unattributed chain.
      const unattributed = await server.admin.listAudit({ tenantId: UNATTRIBUTED_TENANT_ID, action: 'devices.enroll' });
      expect(unattributed.entries.some((entry) => entry.errorCode === 'INVALID_CREDENTIALS')).toBe(true);
    });

    it('refuses a workstation id the org already knows (CONFLICT) without using up the token', async () => {
      const known = uuidv7();
      await signIn(one, { deviceId: known });
      const token = await tokenFor(one);
      expect(await appCodeOf(enroll(token, known))).toBe('CONFLICT');
      // Device ids are per org: the same id is new to org two.
      expect((await enroll(await tokenFor(two), known)).tenantId).toBe(two.tenantId);
      expect((await enroll(token)).tenantId).toBe(one.tenantId);
    });

    it('answers a suspended org with TENANT_SUSPENDED and an offboarded one with ORG_OFFBOARDED', async () => {
      const frozen = await newOrg('enr-frozen');
      const gone = await newOrg('enr-gone');
      const frozenToken = await tokenFor(frozen);
      const goneToken = await tokenFor(gone);
      await tenants.setStatus(frozen.tenantId, 'suspended');
      await tenants.setStatus(gone.tenantId, 'offboarded');
      expect(await appCodeOf(enroll(frozenToken))).toBe('TENANT_SUSPENDED');
      expect(await appCodeOf(enroll(goneToken))).toBe('ORG_OFFBOARDED');
      expect(await server.admin.listDevices(frozen.tenantId)).toEqual([]);
      await tenants.setStatus(frozen.tenantId, 'active');
      expect((await enroll(frozenToken)).tenantId).toBe(frozen.tenantId);
    });

    it('makes an enrolled workstation present its credential: missing or wrong is answered like a wrong password', async () => {
      const deviceId = uuidv7();
      const { deviceCredential } = await enroll(await tokenFor(one), deviceId);
      const other = await enroll(await tokenFor(one));
      const otherOrgs = await enroll(await tokenFor(two), deviceId);
      const wrongPassword = await refusalOf(signIn(one, { deviceId, deviceCredential, password: 'not-the-password' }));
      expect(wrongPassword).toContain('INVALID_CREDENTIALS');
      for (const credential of [undefined, `cd1.${one.tenantId}.${'A'.repeat(43)}`, other.deviceCredential, otherOrgs.deviceCredential, 'nonsense']) {
        expect(await refusalOf(signIn(one, { deviceId, ...(credential !== undefined ? { deviceCredential: credential } : {}) })), String(credential)).toBe(wrongPassword);
      }
      const session = await signIn(one, { deviceId, deviceCredential });
      expect(session.tenantId).toBe(one.tenantId);
      // A credential sent for a device enrolled nowhere is ignored (it may be another org's).
      expect((await signIn(one, { deviceCredential: 'cd1.whatever' })).tenantId).toBe(one.tenantId);
      const refused = await server.admin.listAudit({ tenantId: one.tenantId, action: 'auth.signIn', outcome: 'refused' });
      expect(JSON.stringify(refused.entries)).not.toContain(deviceCredential);
    });

    it('requires enrollment when the org says so: DEVICE_NOT_ENROLLED after the password checks out, and no device row', async () => {
      const strict = await newOrg('enr-strict');
      const selfRegistered = uuidv7();
      await signIn(strict, { deviceId: selfRegistered });
      const deviceId = uuidv7();
      const { deviceCredential } = await enroll(await tokenFor(strict), deviceId);
      await tenants.setPolicy(strict.tenantId, { requireEnrolledDevices: true });

      const stranger = uuidv7();
      expect(await appCodeOf(signIn(strict, { deviceId: stranger }))).toBe('DEVICE_NOT_ENROLLED');
      expect(await appCodeOf(signIn(strict, { deviceId: selfRegistered }))).toBe('DEVICE_NOT_ENROLLED');
      expect(await appCodeOf(signIn(strict, { deviceId: stranger, password: 'not-the-password' }))).toBe('INVALID_CREDENTIALS');
      expect((await server.admin.listDevices(strict.tenantId)).map((d) => d.deviceId)).not.toContain(stranger);
      expect((await signIn(strict, { deviceId, deviceCredential })).tenantId).toBe(strict.tenantId);
      // Filed as refusals in the org's chain.
      const entries = (await server.admin.listAudit({ tenantId: strict.tenantId, action: 'auth.signIn' })).entries;
      const notEnrolled = entries.filter((entry) => entry.errorCode === 'DEVICE_NOT_ENROLLED');
      expect(notEnrolled.length).toBe(2);
      expect(notEnrolled.every((entry) => entry.outcome === 'refused')).toBe(true);
    });

    it('does not let an org switch stand in for enrollment', async () => {
      const home = { ...(await newOrg('enr-home')), username: 'roamer', password: `pw-roamer-${suffix}` };
      const strict = await newOrg('enr-strict2');
      const enrolledThere = await newOrg('enr-cred');
      await server.admin.createUser({ tenantId: home.tenantId, username: home.username, password: home.password, displayName: 'Roamer', role: 'front_desk' });
      for (const target of [strict, enrolledThere]) {
        expect(await server.admin.grantRole({ tenantId: target.tenantId, username: home.username, role: 'front_desk', fromOrg: home.code })).toMatchObject({ added: true });
      }
      await tenants.setPolicy(strict.tenantId, { requireEnrolledDevices: true });
      const deviceId = uuidv7();
      await enroll(await tokenFor(enrolledThere), deviceId);
      const session = await signIn(home, { deviceId });
      const client = syncClient(server.url, { tenantId: session.tenantId, token: session.token });
      expect(await appCodeOf(client.auth.switchOrg.mutate({ org: strict.code }))).toBe('DEVICE_NOT_ENROLLED');
      // The device id alone (no credential on a switch) does not open a session where it is enrolled.
      expect(await appCodeOf(client.auth.switchOrg.mutate({ org: enrolledThere.code }))).toBe('INVALID_CREDENTIALS');
      // Control: the same switch works once the org stops requiring enrollment, with its policy.
      await tenants.setPolicy(strict.tenantId, { requireEnrolledDevices: false, idleLockMinutes: 7 });
      const switched = await client.auth.switchOrg.mutate({ org: strict.code });
      expect(switched).toMatchObject({ tenantId: strict.tenantId, policy: { idleLockMinutes: 7 } });
    });

    it('checks the protocol version and the input', async () => {
      const token = await tokenFor(one);
      expect(await appCodeOf(syncClient(server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION + 2, token, deviceId: uuidv7(), deviceName: 'X' }))).toBe(
        'PROTOCOL_UNSUPPORTED',
      );
      expect(await appCodeOf(syncClient(server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION, token, deviceId: 'not-an-id', deviceName: 'X' }))).toBe('VALIDATION');
      expect(await appCodeOf(syncClient(server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION, token, deviceId: uuidv7(), deviceName: '' }))).toBe('VALIDATION');
      // None of that used the token up.
      expect((await enroll(token)).tenantId).toBe(one.tenantId);
    });
  });
}
