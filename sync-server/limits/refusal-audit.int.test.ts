import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { AuditEvents } from '../domains/audit/audit-events.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg, startTestServer, type TestServer } from '../testing/harness.ts';
import { RequestLimits } from './request-limits.ts';

const engines = testEngines(await requirePostgres('sync-server/limits/refusal-audit (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`aggregated audit of early refusals (${engine.name})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(engine);
    });
    afterAll(() => server?.stop());

    it('writes what is pending when the limits close (server stop), counts exact, chain whole', async () => {
      const { tenantId } = await createOrg(server, 'ra-close');
      // Its own audit service on the real audit database, and a window far longer than the test.
      const limits = new RequestLimits(
        { device: { perSecond: 0.01, burst: 1 }, tenant: { perSecond: 100, burst: 100 }, concurrency: { inFlight: 5, queue: 5, waitMs: 100 } },
        () => undefined,
        Date.now,
        new AuditEvents(server.databases.domains.audit),
      );
      const deviceId = '01900000-0000-7000-8000-0000000000d1';
      const actor = { userId: '01900000-0000-7000-8000-0000000000a1', sessionId: '01900000-0000-7000-8000-0000000000b1', deviceId, role: 'front_desk' as const };
      limits.remember(`cs1.${tenantId}.token`, { tenantId, deviceId, actor });
      (await limits.admit({ tenantId, deviceId }))(); // the device's one token
      const credentials = { tenantId, token: `cs1.${tenantId}.token` };
      for (let i = 0; i < 40; i++) expect(limits.refuseEarly(credentials, { action: 'sync.pull', kind: 'query' })?.code).toBe('RATE_LIMITED');
      for (let i = 0; i < 7; i++) expect(limits.refuseEarly(credentials, { action: 'sync.push', kind: 'mutation' })?.code).toBe('RATE_LIMITED');
      // Another org's id with this token: not this path's to answer.
      expect(limits.refuseEarly({ ...credentials, tenantId: '01900000-0000-7000-8000-0000000000ff' }, { action: 'sync.pull', kind: 'query' })).toBeNull();
      await limits.close();
      const rows = await server.databases.domains.audit.system('test: read refusals', (sql) =>
        sql.query<{ action: string; calls: number }>(
          `SELECT action, sum((detail->>'refusedCalls')::int)::int AS calls FROM audit.events
            WHERE tenant_id = $1 AND error_code = 'RATE_LIMITED' AND actor_device_id = $2 GROUP BY action ORDER BY action`,
          [tenantId, deviceId],
        ),
      );
      expect(rows).toEqual([
        { action: 'sync.pull', calls: 40 },
        { action: 'sync.push', calls: 7 },
      ]);
      expect(await server.admin.verifyAudit({ tenantId })).toMatchObject({ ok: true, problems: [] });
    });
  });
}
