import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { LogEvent } from '../log.ts';
import { testEngines } from '../testing/engines.ts';
import { appCodeOf, createOrg, signedIn, startTestServer, syncClient, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/request-entry (PostgreSQL)'), testPostgresUrl());

/** A raw HTTP call, so the status code and the body are exactly what a client gets. */
async function rawPull(server: TestServer, headers: Record<string, string>) {
  const input = encodeURIComponent(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }));
  const response = await fetch(`${server.url}${SYNC_API_PATH}/sync.pull?input=${input}`, { headers });
  const body = (await response.json()) as { result?: unknown; error?: { message: string; data: { appCode: string; httpStatus: number } } };
  return { status: response.status, body };
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`request entry over real HTTP (${engine.name})`, () => {
    let server: TestServer;
    const events: LogEvent[] = [];
    let a: { tenantId: string; token: string };
    let b: { tenantId: string; token: string };
    let orgA: { code: string; username: string; password: string };

    beforeAll(async () => {
      server = await startTestServer(engine, { log: (event) => events.push(event) });
      orgA = { code: 'org-a', ...(await createOrg(server, 'org-a')) };
      const orgB = await createOrg(server, 'org-b');
      const sa = await signedIn(server, orgA);
      const sb = await signedIn(server, { code: 'org-b', username: orgB.username, password: orgB.password });
      // Give org A one patient, so "returns no data" is meaningful.
      await sa.device.push(sa.device.mutation('patient', uuidv7(), { givenName: 'Ada', familyName: 'Testington', birthDate: '1970-01-01', sex: 'female', phone: '', mrn: 'A-1' }));
      a = { tenantId: sa.session.tenantId, token: sa.session.token };
      b = { tenantId: sb.session.tenantId, token: sb.session.token };
    });
    afterAll(() => server?.stop());

    it('admits a correct org header + token (control case)', async () => {
      const { status, body } = await rawPull(server, { 'x-tenant-id': a.tenantId, authorization: `Bearer ${a.token}` });
      expect(status).toBe(200);
      expect(JSON.stringify(body.result)).toContain('Testington');
    });

    const refusals: [string, () => Record<string, string>, string, number][] = [
      ['no org header', () => ({ authorization: `Bearer ${a.token}` }), 'TENANT_REQUIRED', 400],
      ['a malformed org id', () => ({ 'x-tenant-id': 'northside', authorization: `Bearer ${a.token}` }), 'TENANT_REQUIRED', 400],
      ['an unknown org', () => ({ 'x-tenant-id': uuidv7(), authorization: `Bearer ${a.token}` }), 'TENANT_UNKNOWN', 403],
      ['no token', () => ({ 'x-tenant-id': a.tenantId }), 'UNAUTHENTICATED', 401],
      ['a garbage token', () => ({ 'x-tenant-id': a.tenantId, authorization: 'Bearer nonsense' }), 'UNAUTHENTICATED', 401],
      ["org A's token with org B's header", () => ({ 'x-tenant-id': b.tenantId, authorization: `Bearer ${a.token}` }), 'TENANT_MISMATCH', 403],
    ];
    for (const [what, headers, code, status] of refusals) {
      it(`refuses ${what} with ${code}`, async () => {
        const result = await rawPull(server, headers());
        expect(result.status).toBe(status);
        expect(result.body.result).toBeUndefined();
        expect(result.body.error?.data.appCode).toBe(code);
        expect(JSON.stringify(result.body)).not.toMatch(/Testington|stack|SELECT/);
      });
    }

    it('logs and files a cross-tenant attempt (ids only)', async () => {
      await rawPull(server, { 'x-tenant-id': b.tenantId, authorization: `Bearer ${a.token}` });
      const event = events.find((e) => e.event === 'cross_tenant_attempt');
      expect(event).toMatchObject({ tenantId: b.tenantId, tokenTenantId: a.tenantId, realSession: true });
      // Filed as a 'refused' entry in the targeted org's audit chain, never in the token's org's.
      const crossTenant = async (tenantId: string) =>
        (await server.admin.listAudit({ tenantId, outcome: 'refused', limit: 500 })).entries.filter((e) => e.detail.crossTenantAttempt === true);
      expect(await crossTenant(b.tenantId)).toContainEqual(expect.objectContaining({ errorCode: 'TENANT_MISMATCH', detail: { crossTenantAttempt: true, tokenTenantId: a.tenantId, realSession: true } }));
      expect(await crossTenant(a.tenantId)).toEqual([]);
    });

    it('refuses a revoked session (after sign-out)', async () => {
      const { client } = await signedIn(server, orgA);
      expect(await client.auth.signOut.mutate({})).toEqual({ ok: true });
      expect(await appCodeOf(client.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }))).toBe('UNAUTHENTICATED');
    });

    it('refuses an expired session', async () => {
      const expiring = await signedIn(server, orgA);
      expect(await expiring.device.pull('master_data')).toMatchObject({ tenantId: a.tenantId });
      expect(await server.admin.expireSession({ tenantId: expiring.session.tenantId, token: expiring.session.token })).toBe(true);
      expect(await appCodeOf(expiring.device.pull('master_data'))).toBe('UNAUTHENTICATED');
    });

    it('applies the same checks to WebSocket connectionParams', async () => {
      const wrong = syncClient(server.url, { tenantId: b.tenantId, token: a.token });
      const code = await new Promise<string | undefined>((resolve) => {
        const sub = wrong.sync.pokes.subscribe(
          { protocolVersion: PROTOCOL_VERSION },
          { onData: () => resolve('DATA'), onError: (error) => resolve((error.data as { appCode?: string } | undefined)?.appCode) },
        );
        setTimeout(() => {
          sub.unsubscribe();
          resolve('TIMEOUT');
        }, 5_000);
      });
      expect(code).toBe('TENANT_MISMATCH');
    });

  });
}
