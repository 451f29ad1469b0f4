import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { createAutomationStores } from '../domains/process_automation/stores.ts';
import { testEngines } from '../testing/engines.ts';
import { appCodeOf, createOrg, patientFields, signedIn, startTestServer, syncClient, type TestServer } from '../testing/harness.ts';
import { scrape, samplesOf, valueOf, type Exposition } from './testing/prometheus-text.ts';

const engines = testEngines(await requirePostgres('sync-server/observability/metrics-endpoint (PostgreSQL)'), testPostgresUrl());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const calls = (e: Exposition, procedure: string, code: string) => valueOf(e, 'clinicsync_requests_total', { procedure, code });
const timed = (e: Exposition, procedure: string) => valueOf(e, 'clinicsync_request_duration_seconds_count', { procedure });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`the metrics endpoint after real traffic (${engine.name})`, () => {
    let server: TestServer;
    let metricsUrl: string;
    let org: { code: string; tenantId: string; username: string; password: string };

    beforeAll(async () => {
      server = await startTestServer(engine, { metrics: { listen: { host: '127.0.0.1', port: 0 } } });
      metricsUrl = server.metricsUrl!;
      org = { code: 'metrics-a', ...(await createOrg(server, 'metrics-a')) };
    });
    afterAll(() => server?.stop());

    it('serves the Prometheus text format on its own port, not on the API port', async () => {
      expect(new URL(metricsUrl).port).not.toBe(String(server.port));
      const exposition = await scrape(metricsUrl);
      expect(exposition.types.get('clinicsync_requests_total')).toBe('counter');
      expect(exposition.types.get('clinicsync_request_duration_seconds')).toBe('histogram');
      expect(exposition.types.get('clinicsync_tenant_sync_lag_seconds')).toBe('gauge');
      expect(exposition.types.get('process_resident_memory_bytes')).toBe('gauge');
      const onApiPort = await fetch(`${server.url}/metrics`);
      expect(onApiPort.status).toBe(404);
      expect(await onApiPort.text()).not.toContain('clinicsync_');
    });

    it('counts calls by procedure and outcome by exactly the calls made, and times each', async () => {
      const { device, session } = await signedIn(server, org);
      const before = await scrape(metricsUrl);
      for (let i = 0; i < 3; i++) await device.pull('master_data');
      const stranger = syncClient(server.url, { tenantId: session.tenantId, token: 'cs1.not-a-real-token' });
      for (let i = 0; i < 2; i++) {
        expect(await appCodeOf(stranger.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }))).toBe('UNAUTHENTICATED');
      }
      const after = await scrape(metricsUrl);
      expect(calls(after, 'sync.pull', 'OK') - calls(before, 'sync.pull', 'OK')).toBe(3);
      expect(calls(after, 'sync.pull', 'UNAUTHENTICATED') - calls(before, 'sync.pull', 'UNAUTHENTICATED')).toBe(2);
      expect(timed(after, 'sync.pull') - timed(before, 'sync.pull')).toBe(5);
      // Nothing else was called in between (scrapes are not procedure calls).
      const total = (e: Exposition) => samplesOf(e, 'clinicsync_requests_total').reduce((sum, s) => sum + s.value, 0);
      expect(total(after) - total(before)).toBe(5);
      const seconds = valueOf(after, 'clinicsync_request_duration_seconds_sum', { procedure: 'sync.pull' }) - valueOf(before, 'clinicsync_request_duration_seconds_sum', { procedure: 'sync.pull' });
      expect(seconds).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(30);
    });

    it("shows an org's sync lag while a write waits to be pulled, and the lag it had once pulled", async () => {
      const reader = await signedIn(server, org);
      const writer = await signedIn(server, org);
      await reader.device.pullAll('master_data'); // the org is active here, and its master_data feed is read to the end
      const labels = { tenant_id: org.tenantId };
      expect(valueOf(await scrape(metricsUrl), 'clinicsync_tenant_sync_lag_seconds', labels)).toBe(0);
      const lagCount = (e: Exposition) => valueOf(e, 'clinicsync_sync_lag_seconds_count', { domain: 'master_data' });
      const lagSum = (e: Exposition) => valueOf(e, 'clinicsync_sync_lag_seconds_sum', { domain: 'master_data' });
      const before = await scrape(metricsUrl);

      const pushed = await writer.device.push(writer.device.mutation('patient', uuidv7(), patientFields({ mrn: 'LAG-1' })));
      expect(pushed.results[0]?.status).toBe('applied');
      await sleep(1_200);
      const waiting = await scrape(metricsUrl);
      expect(valueOf(waiting, 'clinicsync_tenant_sync_lag_seconds', labels)).toBeGreaterThanOrEqual(1.2);
      expect(valueOf(waiting, 'clinicsync_tenant_sync_lag_seconds', labels)).toBeLessThan(30);
      expect(lagCount(waiting)).toBe(lagCount(before));

      const page = await reader.device.pull('master_data', '0');
      expect(page.hasMore).toBe(false);
      const pulled = await scrape(metricsUrl);
      expect(valueOf(pulled, 'clinicsync_tenant_sync_lag_seconds', labels)).toBe(0);
      expect(lagCount(pulled) - lagCount(before)).toBe(1);
      expect(lagSum(pulled) - lagSum(before)).toBeGreaterThanOrEqual(1.2);
      expect(lagSum(pulled) - lagSum(before)).toBeLessThan(30);
    });

    it('shows queue depth per org and in total for an arranged backlog, and its draining', async () => {
      const other = await createOrg(server, 'metrics-b');
      // Background work stopped, so the backlog stays where the test put it.
      await server.automation.stop();
      const stores = createAutomationStores(server.databases.domains.process_automation);
      const depth = (e: Exposition, tenantId: string, queue: string) => valueOf(e, 'clinicsync_tenant_queue_depth', { tenant_id: tenantId, queue });
      const total = (e: Exposition, queue: string) => valueOf(e, 'clinicsync_queue_depth', { queue });
      const before = await scrape(metricsUrl);

      for (let i = 0; i < 3; i++) await stores.outbox.emit(org.tenantId, { type: 'test.metrics_backlog', payload: { n: i } });
      await stores.outbox.emit(other.tenantId, { type: 'test.metrics_backlog', payload: { n: 0 } });
      for (let i = 0; i < 2; i++) await stores.jobs.enqueue(org.tenantId, { type: 'test.metrics_backlog', payload: {} });
      await sleep(1_100);
      const backlog = await scrape(metricsUrl);
      expect(depth(backlog, org.tenantId, 'outbox') - depth(before, org.tenantId, 'outbox')).toBe(3);
      expect(depth(backlog, other.tenantId, 'outbox') - depth(before, other.tenantId, 'outbox')).toBe(1);
      expect(depth(backlog, org.tenantId, 'jobs') - depth(before, org.tenantId, 'jobs')).toBe(2);
      expect(total(backlog, 'outbox') - total(before, 'outbox')).toBe(4);
      expect(total(backlog, 'jobs') - total(before, 'jobs')).toBe(2);
      expect(valueOf(backlog, 'clinicsync_queue_oldest_seconds', { queue: 'outbox' })).toBeGreaterThanOrEqual(1);

      // The relay publishes the outbox; the runner gives up on the unknown job type (failed, no longer waiting).
      await server.automation.relay.drain();
      await server.automation.runner.drain();
      const drained = await scrape(metricsUrl);
      expect(total(drained, 'outbox')).toBe(0);
      expect(total(drained, 'jobs')).toBe(0);
      expect(samplesOf(drained, 'clinicsync_tenant_queue_depth')).toEqual([]);
      expect(valueOf(drained, 'clinicsync_queue_oldest_seconds', { queue: 'outbox' })).toBe(0);
    });

    it('shows live WebSocket connections and poke subscriptions', async () => {
      const { client } = await signedIn(server, org);
      const subscriptions = (e: Exposition) => valueOf(e, 'clinicsync_poke_subscriptions');
      const sockets = (e: Exposition) => valueOf(e, 'clinicsync_websocket_connections');
      const before = await scrape(metricsUrl);
      let started!: () => void;
      const live = new Promise<void>((resolve) => (started = resolve));
      const subscription = client.sync.pokes.subscribe({ protocolVersion: PROTOCOL_VERSION }, { onStarted: () => started(), onData: () => undefined });
      await live;
      await sleep(100);
      const during = await scrape(metricsUrl);
      expect(subscriptions(during) - subscriptions(before)).toBe(1);
      expect(sockets(during) - sockets(before)).toBe(1);
      subscription.unsubscribe();
      await expect.poll(async () => subscriptions(await scrape(metricsUrl)), { timeout: 5_000 }).toBe(subscriptions(before));
    });

    it('shows each domain database pool (PostgreSQL) or none (PGlite, which has no pool)', async () => {
      const { device } = await signedIn(server, org);
      await device.pull('master_data'); // just now, so the pool holds an idle connection (pg closes them after 10 s idle)
      const exposition = await scrape(metricsUrl);
      const pools = samplesOf(exposition, 'clinicsync_db_pool_connections');
      if (engine.name === 'pglite') {
        expect(pools).toEqual([]);
        return;
      }
      const app = (state: string) => valueOf(exposition, 'clinicsync_db_pool_connections', { domain: 'master_data', pool: 'app', state });
      expect(app('idle')).toBeGreaterThanOrEqual(1); // the pull left its connection in the pool
      expect(app('idle') + app('in_use')).toBeLessThanOrEqual(3); // the test pool size
      expect(new Set(pools.map((s) => s.labels['domain'])).size).toBe(8);
      expect(valueOf(exposition, 'clinicsync_db_pool_waiting_clients', { domain: 'master_data', pool: 'app' })).toBe(0);
    });
  });

  describe.skipIf(!engine.available)(`request ids and a protected scrape (${engine.name})`, () => {
    const token = randomBytes(24).toString('base64url');
    let server: TestServer;

    beforeAll(async () => {
      server = await startTestServer(engine, { metrics: { listen: { host: '127.0.0.1', port: 0, token } } });
    });
    afterAll(() => server?.stop());

    it('refuses a scrape without the bearer token, or with another, and serves the right one', async () => {
      const missing = await fetch(server.metricsUrl!);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toContain('Bearer');
      expect(await missing.text()).not.toContain('clinicsync_');
      const wrong = await fetch(server.metricsUrl!, { headers: { authorization: `Bearer ${randomBytes(24).toString('base64url')}` } });
      expect(wrong.status).toBe(401);
      expect(await wrong.text()).not.toContain('clinicsync_');
      expect((await fetch(server.metricsUrl!.replace('/metrics', '/'), { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      expect(valueOf(await scrape(server.metricsUrl!, token), 'clinicsync_websocket_connections')).toBe(0);
    });

    const rawPull = (headers: Record<string, string>) => {
      const input = encodeURIComponent(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }));
      return fetch(`${server.url}${SYNC_API_PATH}/sync.pull?input=${input}`, { headers });
    };
    const errorBody = async (response: Response) => ((await response.json()) as { error: { data: { appCode: string; requestId?: string } } }).error.data;

    it("keeps a well-formed x-request-id from the load balancer: echoed, and in the error the client gets", async () => {
      const response = await rawPull({ 'x-request-id': 'lb-7f3a.2c91:0001' });
      expect(response.headers.get('x-request-id')).toBe('lb-7f3a.2c91:0001');
      expect(await errorBody(response)).toMatchObject({ appCode: 'TENANT_REQUIRED', requestId: 'lb-7f3a.2c91:0001' });
    });

    it('replaces a missing or malformed x-request-id with its own, each request a new one', async () => {
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const ids: string[] = [];
      const variants: Record<string, string>[] = [{}, { 'x-request-id': 'two words' }, { 'x-request-id': `"quoted"` }, { 'x-request-id': 'x'.repeat(129) }, {}];
      for (const headers of variants) {
        const response = await rawPull(headers);
        const id = response.headers.get('x-request-id') ?? '';
        expect(id).toMatch(uuid);
        expect((await errorBody(response)).requestId).toBe(id);
        ids.push(id);
      }
      expect(new Set(ids).size).toBe(ids.length);
      // Outside the API too (a 404), so a load balancer's log lines always find one.
      expect((await fetch(`${server.url}/nowhere`, { headers: { 'x-request-id': 'lb-404' } })).headers.get('x-request-id')).toBe('lb-404');
    });

    it('numbers WebSocket calls under their connection id, in the error the client gets', async () => {
      const client = syncClient(server.url, { tenantId: uuidv7(), token: 'cs1.nobody' });
      const failures: { appCode?: string; requestId?: string }[] = [];
      for (let i = 0; i < 2; i++) {
        await new Promise<void>((resolve) => {
          const subscription = client.sync.pokes.subscribe(
            { protocolVersion: PROTOCOL_VERSION },
            {
              onError: (error) => {
                failures.push(error.data as { appCode?: string; requestId?: string });
                subscription.unsubscribe();
                resolve();
              },
            },
          );
        });
      }
      expect(failures.map((f) => f.appCode)).toEqual(['TENANT_UNKNOWN', 'TENANT_UNKNOWN']);
      const [first, second] = failures.map((f) => f.requestId ?? '');
      const connection = /^([0-9a-f-]{36})\.(\d+)$/;
      expect(first).toMatch(connection);
      expect(second).toMatch(connection);
      expect(connection.exec(first!)![1]).toBe(connection.exec(second!)![1]);
      expect(Number(connection.exec(second!)![2])).toBe(Number(connection.exec(first!)![2]) + 1);
    });
  });
}
