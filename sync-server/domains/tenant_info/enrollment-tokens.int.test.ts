import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { testEngines } from '../../testing/engines.ts';
import { startTestServer, type TestServer } from '../../testing/harness.ts';
import { EnrollmentTokens } from './enrollment-tokens.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/tenant_info/enrollment-tokens (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`device enrollment tokens (${engine.name})`, () => {
    let server: TestServer;
    let tokens: EnrollmentTokens;
    let a: string;
    let b: string;

    beforeAll(async () => {
      server = await startTestServer(engine);
      tokens = new EnrollmentTokens(server.databases.domains.tenant_info);
      const suffix = uuidv7().slice(-6);
      a = (await server.admin.createTenant({ code: `enr-a-${suffix}`, name: 'Enroll A' })).tenantId;
      b = (await server.admin.createTenant({ code: `enr-b-${suffix}`, name: 'Enroll B' })).tenantId;
    });
    afterAll(() => server?.stop());

    it('enrolls one device, once, into the org the token was issued for', async () => {
      const { token } = await server.admin.issueEnrollmentToken({ tenantId: a, ttlMinutes: 10 });
      const deviceId = uuidv7();
      // Shown to another org it is just invalid, and stays usable for its own org.
      expect(await tokens.redeem({ tenantId: b, token, deviceId, name: 'Desk 1' })).toEqual({ ok: false, reason: 'invalid' });
      expect(await server.admin.listDevices(b)).toEqual([]);
      expect(await tokens.redeem({ tenantId: a, token, deviceId, name: 'Desk 1' })).toMatchObject({ ok: true });
      expect(await server.admin.listDevices(a)).toMatchObject([{ deviceId, name: 'Desk 1', enrolledVia: 'token', revokedAt: null }]);
      // Single use.
      expect(await tokens.redeem({ tenantId: a, token, deviceId: uuidv7(), name: 'Desk 2' })).toEqual({ ok: false, reason: 'invalid' });
      expect((await server.admin.listDevices(a)).length).toBe(1);
    });

    it('refuses an expired, a forged and a malformed token alike, and a device id the org already knows', async () => {
      const { token } = await server.admin.issueEnrollmentToken({ tenantId: a });
      expect(await tokens.expire(a, token)).toBe(true);
      const refusals = [
        await tokens.redeem({ tenantId: a, token, deviceId: uuidv7(), name: 'Late' }),
        await tokens.redeem({ tenantId: a, token: `ce1.${a}.${'A'.repeat(43)}`, deviceId: uuidv7(), name: 'Forged' }),
        await tokens.redeem({ tenantId: a, token: `cs1.${a}.${token.split('.')[2]}`, deviceId: uuidv7(), name: 'Wrong kind' }),
        await tokens.redeem({ tenantId: a, token: "ce1' OR '1'='1", deviceId: uuidv7(), name: 'Injected' }),
      ];
      expect(refusals).toEqual(Array(4).fill({ ok: false, reason: 'invalid' }));

      const fresh = await server.admin.issueEnrollmentToken({ tenantId: a });
      const [known] = await server.admin.listDevices(a);
      expect(await tokens.redeem({ tenantId: a, token: fresh.token, deviceId: known!.deviceId, name: 'Again' })).toEqual({ ok: false, reason: 'device_taken' });
      // The refused attempt left the token unused.
      expect(await tokens.redeem({ tenantId: a, token: fresh.token, deviceId: uuidv7(), name: 'Desk 3' })).toMatchObject({ ok: true });
    });

    it('checks the lifetime an operator asks for', async () => {
      await expect(server.admin.issueEnrollmentToken({ tenantId: a, ttlMinutes: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(server.admin.issueEnrollmentToken({ tenantId: uuidv7() })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
}
