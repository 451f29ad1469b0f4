import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg, signedIn, startTestServer, syncClient, type TestDevice, type TestServer } from '../testing/harness.ts';
import { DEVICE_LIMITED, MIN_RETRY_AFTER_MS, TENANT_LIMITED } from './request-limits.ts';

const engines = testEngines(await requirePostgres('sync-server/limits/back-pressure (PostgreSQL)'), testPostgresUrl());

/** Small limits and a rate slow enough that no token comes back while a test runs. */
const DEVICE_BURST = 4;
const TENANT_BURST = 6;
const LIMITS = {
  device: { perSecond: 0.01, burst: DEVICE_BURST },
  tenant: { perSecond: 0.01, burst: TENANT_BURST },
  concurrency: { inFlight: 3, queue: 8, waitMs: 2_000 },
};

interface Answer {
  code: string | undefined;
  httpStatus: number | undefined;
  retryAfterMs: number | undefined;
  message: string;
}

async function answer(call: Promise<unknown>): Promise<Answer> {
  try {
    await call;
    return { code: 'ok', httpStatus: 200, retryAfterMs: undefined, message: '' };
  } catch (error) {
    const e = error as { message: string; data?: { appCode?: string; httpStatus?: number; retryAfterMs?: number } };
    return { code: e.data?.appCode, httpStatus: e.data?.httpStatus, retryAfterMs: e.data?.retryAfterMs, message: e.message };
  }
}

const pull = (device: TestDevice) => answer(device.pull('master_data', '0', 10));

for (const engine of engines) {
  describe.skipIf(!engine.available)(`back-pressure at request entry (${engine.name})`, () => {
    let server: TestServer;
    let orgs: Record<'a' | 'b' | 'c', { code: string; tenantId: string; username: string; password: string }>;

    beforeAll(async () => {
      server = await startTestServer(engine, { limits: LIMITS });
      const make = async (code: string) => ({ code, ...(await createOrg(server, code)) });
      orgs = { a: await make('bp-a'), b: await make('bp-b'), c: await make('bp-c') };
    });
    afterAll(() => server?.stop());

    it("refuses a device over its rate with RATE_LIMITED (HTTP 429, Retry-After, retryAfterMs); the org's other device is unaffected", async () => {
      const first = await signedIn(server, orgs.a);
      const second = await signedIn(server, orgs.a);
      const answers = [];
      for (let i = 0; i < DEVICE_BURST + 2; i++) answers.push(await pull(first.device));
      expect(answers.slice(0, DEVICE_BURST).map((a) => a.code)).toEqual(Array(DEVICE_BURST).fill('ok'));
      for (const refused of answers.slice(DEVICE_BURST)) {
        expect(refused).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, message: DEVICE_LIMITED });
        expect(refused.retryAfterMs).toBeGreaterThanOrEqual(MIN_RETRY_AFTER_MS);
      }
      // The raw HTTP answer: status 429 and a Retry-After header in whole seconds.
      const raw = await fetch(`${server.url}${SYNC_API_PATH}/sync.pull?input=${encodeURIComponent(JSON.stringify({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 }))}`, {
        headers: { 'x-tenant-id': first.session.tenantId, authorization: `Bearer ${first.session.token}` },
      });
      expect(raw.status).toBe(429);
      expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // The other device of the same org still has its own budget (and the org's).
      expect((await pull(second.device)).code).toBe('ok');
    });

    it("refuses the org over its rate across all its devices, while another org's devices go on", async () => {
      const devices = await Promise.all([1, 2, 3].map(() => signedIn(server, orgs.b)));
      const answers: Answer[] = [];
      // Two calls per device: six, the org's whole burst, within each device's own burst.
      for (const { device } of devices) for (let i = 0; i < 2; i++) answers.push(await pull(device));
      expect(answers.map((a) => a.code)).toEqual(Array(TENANT_BURST).fill('ok'));
      for (const { device } of devices) {
        expect(await pull(device)).toMatchObject({ code: 'RATE_LIMITED', httpStatus: 429, message: TENANT_LIMITED });
      }
      const other = await signedIn(server, orgs.c);
      expect((await pull(other.device)).code).toBe('ok');
    });

    it("cannot be steered: a stolen token of one org sent with another org's id is refused before either org's budget is spent", async () => {
      // Fresh orgs, so their buckets are full: the victim's whole burst must still be there afterwards.
      const attackerOrg = { code: 'bp-thief', ...(await createOrg(server, 'bp-thief')) };
      const victimOrg = { code: 'bp-victim', ...(await createOrg(server, 'bp-victim')) };
      const stolen = await signedIn(server, attackerOrg);
      const forged = syncClient(server.url, { tenantId: victimOrg.tenantId, token: stolen.session.token });
      const junk = syncClient(server.url, { tenantId: victimOrg.tenantId, token: `cs1.${victimOrg.tenantId}.forged-secret-not-a-session` });
      for (let i = 0; i < TENANT_BURST * 3; i++) {
        expect((await answer(forged.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 }))).code).toBe('TENANT_MISMATCH');
        expect((await answer(junk.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 }))).code).toBe('UNAUTHENTICATED');
      }
      // The victim org: its devices get exactly its whole burst, then the limit (so the limit is live).
      const victims = await Promise.all([1, 2].map(() => signedIn(server, victimOrg)));
      const answers: Answer[] = [];
      for (let i = 0; i < TENANT_BURST / 2; i++) for (const { device } of victims) answers.push(await pull(device));
      expect(answers.map((a) => a.code)).toEqual(Array(TENANT_BURST).fill('ok'));
      expect((await pull(victims[0]!.device)).code).toBe('RATE_LIMITED');
      // The stolen token's own device was not charged either: it still has its whole burst.
      for (let i = 0; i < DEVICE_BURST; i++) expect((await pull(stolen.device)).code).toBe('ok');
      expect((await pull(stolen.device)).code).toBe('RATE_LIMITED');
    });

    it('audits every refusal in the caller’s own org: counted exactly (early ones in aggregate), and the chain still verifies', async () => {
      const org = { code: 'bp-audit', ...(await createOrg(server, 'bp-audit')) };
      const first = await signedIn(server, org);
      const second = await signedIn(server, org);
      for (let i = 0; i < DEVICE_BURST; i++) expect((await pull(first.device)).code).toBe('ok');
      const refused = 25;
      for (let i = 0; i < refused; i++) expect((await pull(first.device)).code).toBe('RATE_LIMITED');
      // Pushes too: their own procedure, their own aggregated entry.
      for (let i = 0; i < 3; i++) expect((await answer(first.device.push()))).toMatchObject({ code: 'RATE_LIMITED' });
      const { tenantId } = first.session;
      const counted = async () => {
        const rows = await server.databases.domains.audit.system('test: read refusals', (sql) =>
          sql.query<{ action: string; actor_device_id: string | null; calls: number; entries: number; early: number }>(
            `SELECT action, actor_device_id, sum(coalesce((detail->>'refusedCalls')::int, 1))::int AS calls, count(*)::int AS entries,
                    count(*) FILTER (WHERE detail->>'earlyRefusal' = 'true')::int AS early
               FROM audit.events WHERE tenant_id = $1 AND error_code = 'RATE_LIMITED' GROUP BY action, actor_device_id ORDER BY action`,
            [tenantId],
          ),
        );
        return rows;
      };
      // Written when the window ends (about a second): wait for it, never past it.
      const deadline = Date.now() + 10_000;
      let rows = await counted();
      while (rows.reduce((n, r) => n + r.calls, 0) < refused + 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        rows = await counted();
      }
      expect(rows.map(({ action, actor_device_id, calls }) => ({ action, actor_device_id, calls }))).toEqual([
        { action: 'sync.pull', actor_device_id: first.deviceId.toLowerCase(), calls: refused },
        { action: 'sync.push', actor_device_id: first.deviceId.toLowerCase(), calls: 3 },
      ]);
      // Refused before request entry, so far fewer entries than calls (one per window and procedure).
      const pulls = rows[0]!;
      expect(pulls.early).toBe(pulls.entries);
      expect(pulls.entries).toBeLessThan(refused);
      // The org's other device was not charged for any of it, and the chain is whole.
      expect((await pull(second.device)).code).toBe('ok');
      expect(await server.admin.verifyAudit({ tenantId })).toMatchObject({ ok: true, problems: [] });
    });

    it('refuses early only what it would refuse anyway: a revoked device with a token left is told DEVICE_REVOKED, never admitted', async () => {
      const org = { code: 'bp-revoked', ...(await createOrg(server, 'bp-revoked')) };
      const desk = await signedIn(server, org);
      // Verified (and remembered) a few times, with one token left in the device's bucket.
      for (let i = 0; i < DEVICE_BURST - 1; i++) expect((await pull(desk.device)).code).toBe('ok');
      await server.admin.revokeDevice({ tenantId: desk.session.tenantId, deviceId: desk.deviceId });
      expect((await pull(desk.device)).code).toBe('DEVICE_REVOKED');
      expect((await pull(desk.device)).code).toBe('DEVICE_REVOKED');
    });

    it("a remembered token over its limit, shown with another org's id, takes the normal path: TENANT_MISMATCH, and the other org's budget is untouched", async () => {
      const attackerOrg = { code: 'bp-thief2', ...(await createOrg(server, 'bp-thief2')) };
      const victimOrg = { code: 'bp-victim2', ...(await createOrg(server, 'bp-victim2')) };
      const stolen = await signedIn(server, attackerOrg);
      for (let i = 0; i < DEVICE_BURST; i++) expect((await pull(stolen.device)).code).toBe('ok');
      expect((await pull(stolen.device)).code).toBe('RATE_LIMITED'); // refused early: its token is remembered
      const forged = syncClient(server.url, { tenantId: victimOrg.tenantId, token: stolen.session.token });
      for (let i = 0; i < TENANT_BURST * 2; i++) {
        expect((await answer(forged.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 }))).code).toBe('TENANT_MISMATCH');
      }
      const victims = await Promise.all([1, 2].map(() => signedIn(server, victimOrg)));
      const answers: Answer[] = [];
      for (let i = 0; i < TENANT_BURST / 2; i++) for (const { device } of victims) answers.push(await pull(device));
      expect(answers.map((a) => a.code)).toEqual(Array(TENANT_BURST).fill('ok'));
    });
  });
}
