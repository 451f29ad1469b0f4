import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { hashSessionToken } from '../auth/session-token.ts';
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

    it("answers each of many concurrent calls, whose entries are read together, with its own verdict and its own org's data", async () => {
      // Admitted calls of both orgs interleaved with every refusal above, 6 of each, all at once: the entries of
      // calls in flight together are read in one statement, and a verdict or an org handed to the wrong call shows here.
      const admitted: [string, () => Record<string, string>, string, number][] = [
        ['A', () => ({ 'x-tenant-id': a.tenantId, authorization: `Bearer ${a.token}` }), 'ok:A', 200],
        ['B', () => ({ 'x-tenant-id': b.tenantId, authorization: `Bearer ${b.token}` }), 'ok:B', 200],
      ];
      const cases = Array.from({ length: 6 }, () => [...admitted, ...refusals]).flat();
      const statements = () => server.databases.statementCounts!().find((c) => c.domain === 'tenant_info' && c.pool === 'app')!.statements;
      const before = statements();
      const answers = await Promise.all(
        cases.map(async ([, headers]) => {
          const { status, body } = await rawPull(server, headers());
          if (body.error) return { status, verdict: body.error.data.appCode };
          const page = body.result as { data: { tenantId: string; changes: unknown[] } };
          return { status, verdict: `ok:${page.data.tenantId === a.tenantId ? 'A' : page.data.tenantId === b.tenantId ? 'B' : '?'}`, patients: JSON.stringify(page).includes('Testington') };
        }),
      );
      expect(answers.map(({ status, verdict }) => ({ status, verdict }))).toEqual(cases.map(([, , verdict, status]) => ({ status, verdict })));
      expect(answers.filter((x) => x.patients).length).toBe(6); // org A's patient, to org A's calls only
      // On PostgreSQL, fewer entry statements than calls that read one (the malformed and missing org ids are refused
      // before any read; each mismatch reads once more). In-process PGlite answers each before the next call arrives.
      if (engine.name === 'postgres') expect(statements() - before).toBeLessThan(cases.length - 12);
    });

    it("the batched entry function reads each call under its own org only, and refuses to run inside an org's transaction", async () => {
      const tenantInfo = server.databases.domains.tenant_info;
      const entries = 'SELECT i, (tenant).id::text AS org, "sessionId" IS NOT NULL AS session FROM tenant_info.request_entries($1::jsonb)';
      const calls = [
        { i: 0, tenant_id: b.tenantId, token_hash: hashSessionToken(a.token) }, // A's token, naming B: B's row, no session
        { i: 1, tenant_id: a.tenantId, token_hash: hashSessionToken(a.token) },
        { i: 2, tenant_id: uuidv7(), token_hash: hashSessionToken(a.token) }, // no such org: no row at all
      ];
      const rows = await tenantInfo.appStatementAcross([b.tenantId, a.tenantId], () => ({ text: entries, params: [JSON.stringify(calls)] }));
      expect(rows).toEqual([{ i: 0, org: b.tenantId, session: false }, { i: 1, org: a.tenantId, session: true }]);
      await expect(tenantInfo.withTenant(a.tenantId, (sql) => sql.query(entries, [JSON.stringify(calls.slice(0, 1))]))).rejects.toThrow(/tenant context/);
    });

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
