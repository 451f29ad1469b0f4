import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { sessionInfoSchema } from '../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { testEngines } from '../testing/engines.ts';
import { appCodeOf, createOrg, startTestServer, syncClient, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/sign-in (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`auth.signIn (${engine.name})`, () => {
    let server: TestServer;
    let org: { tenantId: string; username: string; password: string };

    beforeAll(async () => {
      server = await startTestServer(engine);
      org = await createOrg(server, 'clinic-one');
      await createOrg(server, 'clinic-two');
    });
    afterAll(() => server?.stop());

    const signIn = (overrides: Record<string, unknown> = {}) =>
      syncClient(server.url).auth.signIn.mutate({
        protocolVersion: PROTOCOL_VERSION,
        org: 'clinic-one',
        username: org.username,
        password: org.password,
        deviceId: uuidv7(),
        ...overrides,
      } as Parameters<ReturnType<typeof syncClient>['auth']['signIn']['mutate']>[0]);

    it('returns a session bound to the org', async () => {
      const session = sessionInfoSchema.parse(await signIn({ org: ' Clinic-One ' }));
      expect(session.tenantId).toBe(org.tenantId);
      expect(session.tenantName).toBe('Test org clinic-one');
      expect(session.role).toBe('front_desk');
      expect(session.token.startsWith(`cs1.${org.tenantId}.`)).toBe(true);
      expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
      expect(await server.admin.countRows({ domain: 'tenant_info', table: 'sessions', tenantId: org.tenantId })).toBeGreaterThan(0);
    });

    it('answers a wrong password, an unknown user and an unknown org identically', async () => {
      const answers = [];
      for (const overrides of [{ password: 'wrong' }, { username: 'nobody' }, { org: 'no-such-org' }, { org: 'clinic-two' }]) {
        try {
          await signIn(overrides);
          answers.push('signed in');
        } catch (error) {
          const e = error as { message: string; data?: { appCode?: string; httpStatus?: number } };
          answers.push(JSON.stringify({ message: e.message, code: e.data?.appCode, status: e.data?.httpStatus }));
        }
      }
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toContain('INVALID_CREDENTIALS');
      expect(answers[0]).toContain('401');
    });

    it('refuses a protocol version that is not adjacent', async () => {
      expect(await appCodeOf(signIn({ protocolVersion: PROTOCOL_VERSION + 2 }))).toBe('PROTOCOL_UNSUPPORTED');
    });

    it('reports invalid input as VALIDATION with field paths but not values', async () => {
      try {
        await signIn({ deviceId: 'my-secret-device-name' });
        expect.unreachable();
      } catch (error) {
        const e = error as { message: string; data?: { appCode?: string; issues?: { path: string }[] } };
        expect(e.data?.appCode).toBe('VALIDATION');
        expect(e.data?.issues?.map((issue) => issue.path)).toEqual(['deviceId']);
        expect(JSON.stringify(e.data) + e.message).not.toContain('my-secret-device-name');
      }
    });

    it('serves health without an org', async () => {
      expect(await syncClient(server.url).health.query()).toEqual({ status: 'ok', protocolVersion: PROTOCOL_VERSION });
    });
  });
}
