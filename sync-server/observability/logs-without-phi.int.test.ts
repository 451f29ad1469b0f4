import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { findSecrets, type Secret } from '../../test/security/secret-scan.ts';
import { HybridClock } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { LogEvent } from '../log.ts';
import { testEngines } from '../testing/engines.ts';
import { createOrg, patientFields, startTestServer, type TestServer } from '../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/observability/logs-without-phi (PostgreSQL)'), testPostgresUrl());

/** A patient no log line has any business naming: every field distinctive enough to search for. */
const PATIENT = patientFields({ givenName: 'Zephyrine-Quillfeather', familyName: 'Vandermolen-Oyelaran', phone: '555-0199-8642-77', mrn: 'MRN-PHI-7f3a9c21', birthDate: '1961-07-14' });
const PHI: Secret[] = [
  { what: 'given name', value: 'Zephyrine-Quillfeather' },
  { what: 'family name', value: 'Vandermolen-Oyelaran' },
  { what: 'phone', value: '555-0199-8642-77' },
  { what: 'MRN', value: 'MRN-PHI-7f3a9c21' },
];

/** Lines logged by work that runs outside any request (start-up, the job runner and outbox relay polling). */
const BACKGROUND = /^(server_started|server_stopped|system_access|job_|outbox_|event_|consumer_|outbox_relay_|job_runner_)/;

for (const engine of engines) {
  describe.skipIf(!engine.available)(`a realistic session's logs (${engine.name})`, () => {
    let server: TestServer;
    const events: LogEvent[] = [];
    /** The request ids the client was given, each with the answer it came back on. */
    const answered = new Map<string, { status: number; body: string }>();
    let org: { code: string; tenantId: string; username: string; password: string };
    let otherOrg: string;

    async function call(id: string, procedure: string, input: unknown, auth: { tenantId?: string; token?: string } = {}, kind: 'query' | 'mutation' = 'mutation') {
      const headers: Record<string, string> = { 'x-request-id': id, 'content-type': 'application/json' };
      if (auth.tenantId) headers['x-tenant-id'] = auth.tenantId;
      if (auth.token) headers.authorization = `Bearer ${auth.token}`;
      const url = `${server.url}${SYNC_API_PATH}/${procedure}`;
      const response =
        kind === 'query'
          ? await fetch(`${url}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers })
          : await fetch(url, { method: 'POST', headers, body: JSON.stringify(input) });
      const body = await response.text();
      expect(response.headers.get('x-request-id')).toBe(id);
      answered.set(id, { status: response.status, body });
      return { status: response.status, json: JSON.parse(body) as { result?: { data: unknown }; error?: { message: string; data: { appCode: string; requestId?: string } } } };
    }

    beforeAll(async () => {
      // Every level, debug included: what an operator sees with CLINICSYNC_LOG_LEVEL=debug.
      server = await startTestServer(engine, { log: (event) => events.push(event) });
      org = { code: 'phi-logs', ...(await createOrg(server, 'phi-logs')) };
      otherOrg = (await createOrg(server, 'phi-logs-other')).tenantId;
      events.length = 0;

      const deviceId = uuidv7();
      const signIn = await call('sess-signin-01', 'auth.signIn', { protocolVersion: PROTOCOL_VERSION, org: org.code, username: org.username, password: org.password, deviceId });
      const session = signIn.json.result!.data as { tenantId: string; token: string };
      const auth = { tenantId: session.tenantId, token: session.token };
      const patientId = uuidv7();
      const hlc = new HybridClock('dev-phi01').tick();
      const pushed = await call('sess-push-01', 'sync.push', { protocolVersion: PROTOCOL_VERSION, deviceId, mutations: [{ mutationId: uuidv7(), entity: 'patient', id: patientId, op: 'upsert', fields: PATIENT, hlc, baseVersion: null }] }, auth);
      expect(JSON.stringify(pushed.json)).toContain('"applied"');
      const pulled = await call('sess-pull-01', 'sync.pull', { protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }, auth, 'query');
      expect(JSON.stringify(pulled.json)).toContain('Vandermolen-Oyelaran'); // the data itself does travel, to its org
      const searched = await call('sess-search-01', 'patients.search', { name: 'Vandermolen' }, auth, 'query');
      expect(JSON.stringify(searched.json)).toContain('Zephyrine-Quillfeather');

      // Errors: a search whose input breaks a rule (the value must not come back), a cross-org attempt.
      const invalid = await call('sess-invalid-01', 'patients.search', { name: 'Vandermolen-Oyelaran 1961-07-14' }, auth, 'query');
      expect(invalid.json.error?.data).toMatchObject({ appCode: 'VALIDATION', requestId: 'sess-invalid-01' });
      const crossed = await call('sess-cross-01', 'sync.pull', { protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }, { tenantId: otherOrg, token: session.token }, 'query');
      expect(crossed.json.error?.data).toMatchObject({ appCode: 'TENANT_MISMATCH', requestId: 'sess-cross-01' });
    });
    afterAll(() => server?.stop());

    it('logs no PHI of the session, at any level, and sends none back in its errors', () => {
      const lines = events.map((event) => JSON.stringify(event)).join('\n');
      const errors = [...answered.values()].filter((a) => a.status >= 400).map((a) => a.body).join('\n');
      const hits = findSecrets(
        [
          { where: 'log lines', bytes: Buffer.from(lines) },
          { where: 'error answers', bytes: Buffer.from(errors) },
        ],
        PHI,
      );
      expect(hits).toEqual([]);
      expect(lines).not.toContain('1961-07-14');
      expect(errors).not.toContain('1961-07-14');
      expect(lines).not.toContain(org.password);
    });

    it('logs one call line per request, under the id the client was given, with its outcome', () => {
      const callLines = events.filter((event) => event.event === 'call');
      const byId = new Map(callLines.map((event) => [event.requestId, event]));
      expect(callLines).toHaveLength(answered.size);
      expect(byId.get('sess-signin-01')).toMatchObject({ procedure: 'auth.signIn', code: 'OK' });
      expect(byId.get('sess-push-01')).toMatchObject({ procedure: 'sync.push', code: 'OK', tenantId: org.tenantId });
      expect(byId.get('sess-pull-01')).toMatchObject({ procedure: 'sync.pull', code: 'OK' });
      expect(byId.get('sess-invalid-01')).toMatchObject({ procedure: 'patients.search', code: 'VALIDATION', level: 'info' });
      expect(byId.get('sess-cross-01')).toMatchObject({ procedure: 'sync.pull', code: 'TENANT_MISMATCH', tenantId: otherOrg });
    });

    it('puts the request id on every line logged inside a request, including ones from deep below the handler', () => {
      const cross = events.find((event) => event.event === 'cross_tenant_attempt');
      expect(cross).toMatchObject({ requestId: 'sess-cross-01', tenantId: otherOrg });
      expect(events.find((event) => event.event === 'push')).toMatchObject({ requestId: 'sess-push-01' });
      // The sign-in's directory lookup is system access made inside the request.
      expect(events.some((event) => event.event === 'system_access' && event.requestId === 'sess-signin-01')).toBe(true);
      for (const event of events) {
        if (event.requestId !== undefined) expect(answered.has(event.requestId), `${event.event} carries an id no client was given`).toBe(true);
        else expect(event.event, `${event.event} was logged without a request id`).toMatch(BACKGROUND);
      }
      // Background lines are background: none of them happened in a request without saying so.
      const unscoped = events.filter((event) => event.requestId === undefined && event.event === 'system_access');
      for (const event of unscoped) expect(String(event['reason'])).toMatch(/^(jobs|events|outbox|workflows):/);
    });
  });
}
