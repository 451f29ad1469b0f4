import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { createSyncTransport } from '../../electron/sync/transport.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { createOrg, signedIn, startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';
import { DEVICE_LIMITED, MIN_RETRY_AFTER_MS } from '../../sync-server/limits/request-limits.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';

/**
 * Issue 9, back-pressure end to end: the real server refuses a device over its rate, and
 * the workstation's transport turns the answer into RATE_LIMITED with the server's wait,
 * which its sync engine honours (electron/sync/engine-rate-limit.test.ts).
 */
const engines = testEngines(await requirePostgres('test/sync/rate-limited-transport (PostgreSQL)'), testPostgresUrl());
const BURST = 3;

for (const engine of engines) {
  describe.skipIf(!engine.available)(`a rate-limited workstation (${engine.name})`, () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer(engine, {
        limits: { device: { perSecond: 0.01, burst: BURST }, tenant: { perSecond: 100, burst: 100 }, concurrency: { inFlight: 3, queue: 8, waitMs: 2_000 } },
      });
    });
    afterAll(() => server?.stop());

    it("gets RATE_LIMITED with the server's retryAfterMs through its transport", async () => {
      const org = await createOrg(server, 'rl-ws');
      const { session } = await signedIn(server, { code: 'rl-ws', ...org });
      const transport = createSyncTransport(server.url, { tenantId: session.tenantId, token: session.token });
      try {
        const pull = () => transport.pull({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 });
        for (let i = 0; i < BURST; i++) await pull();
        const refused = await pull().then(() => null, (error: unknown) => error);
        expect(refused).toMatchObject({ code: 'RATE_LIMITED', message: DEVICE_LIMITED });
        expect((refused as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThanOrEqual(MIN_RETRY_AFTER_MS);
      } finally {
        await transport.close();
      }
    });
  });
}
