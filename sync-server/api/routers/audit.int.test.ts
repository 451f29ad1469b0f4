import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import type { AuditRecord } from '../../audit/audit-read.ts';
import { UNATTRIBUTED_TENANT_ID } from '../../audit/audit-trail.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, createOrg, patientFields, signedIn, startTestServer, syncClient, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/audit (PostgreSQL)'), testPostgresUrl());

/** Demographics that must never reach the audit trail, whatever the call did. */
const PLANTED = { givenName: 'Quillonia', familyName: 'Marbleforth', birthDate: '1961-07-19', phone: '555-0199', mrn: 'PLANT-77' };

type Signed = Awaited<ReturnType<typeof signedIn>>;

for (const engine of engines) {
  describe.skipIf(!engine.available)(`audit trail over real HTTP (${engine.name})`, () => {
    let server: TestServer;
    let tenantA: string;
    let tenantB: string;
    let frontA: Signed;
    let adminA: Signed;
    let adminB: Signed;
    const patientId = uuidv7();

    /** The newest entry of an org's chain matching the filters, read through the admin API. */
    async function latest(tenantId: string, filters: { action?: string; outcome?: AuditRecord['outcome'] } = {}): Promise<AuditRecord | undefined> {
      return (await server.admin.listAudit({ tenantId, limit: 1, ...filters })).entries[0];
    }

    async function orgWithAdmin(code: string): Promise<{ tenantId: string; front: Signed; admin: Signed }> {
      const org = await createOrg(server, code);
      const password = `pw-admin-${uuidv7().slice(-8)}`;
      await server.admin.createUser({ tenantId: org.tenantId, username: 'orgadmin', password, displayName: 'Org Admin', role: 'org_admin' });
      return {
        tenantId: org.tenantId,
        front: await signedIn(server, { code, username: org.username, password: org.password }),
        admin: await signedIn(server, { code, username: 'orgadmin', password }),
      };
    }

    beforeAll(async () => {
      server = await startTestServer(engine);
      const a = await orgWithAdmin('audit-a');
      const b = await orgWithAdmin('audit-b');
      [tenantA, tenantB, frontA, adminA, adminB] = [a.tenantId, b.tenantId, a.front, a.admin, b.admin];
      await frontA.device.push(frontA.device.mutation('patient', patientId, patientFields(PLANTED)));
      // A call that fails validation with PHI in its input: the refusal must not carry it either.
      await appCodeOf(frontA.device.push(frontA.device.mutation('patient', uuidv7(), patientFields({ ...PLANTED, birthDate: `${PLANTED.familyName}!` }))));
    });
    afterAll(() => server?.stop());

    it('a pull leaves one entry with actor, device, action, ids and outcome ok', async () => {
      await frontA.device.pull('master_data');
      expect(await latest(tenantA, { action: 'sync.pull' })).toMatchObject({
        tenantId: tenantA,
        action: 'sync.pull',
        kind: 'query',
        outcome: 'ok',
        errorCode: null,
        actorUserId: frontA.session.userId,
        actorDeviceId: frontA.deviceId,
        actorRole: 'front_desk',
        actorSessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        entity: 'patient',
        ids: expect.arrayContaining([patientId]),
        detail: { domain: 'master_data' },
      });
    });

    it('a push leaves an entry naming the ids it changed', async () => {
      const entry = (await server.admin.listAudit({ tenantId: tenantA, action: 'sync.push', outcome: 'ok', limit: 500 })).entries.find((e) => e.ids.includes(patientId));
      expect(entry).toMatchObject({ kind: 'mutation', entity: 'patient', actorDeviceId: frontA.deviceId });
    });

    it('a refused cross-tenant call leaves a refused entry under the targeted org, naming the token’s org', async () => {
      const forged = syncClient(server.url, { tenantId: tenantB, token: frontA.session.token });
      expect(await appCodeOf(forged.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }))).toBe('TENANT_MISMATCH');
      expect(await latest(tenantB, { outcome: 'refused' })).toMatchObject({
        tenantId: tenantB,
        action: 'sync.pull',
        errorCode: 'TENANT_MISMATCH',
        actorUserId: null,
        ids: [],
        detail: { crossTenantAttempt: true, tokenTenantId: tenantA, realSession: true },
      });
      const inA = await server.admin.listAudit({ tenantId: tenantA, outcome: 'refused', limit: 500 });
      expect(inA.entries.filter((e) => e.errorCode === 'TENANT_MISMATCH')).toEqual([]);
    });

    it('a request naming no existing org goes in the unattributed chain', async () => {
      const stranger = syncClient(server.url, { tenantId: uuidv7(), token: frontA.session.token });
      expect(await appCodeOf(stranger.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' }))).toBe('TENANT_UNKNOWN');
      expect(await latest(UNATTRIBUTED_TENANT_ID, { action: 'sync.pull' })).toMatchObject({ tenantId: UNATTRIBUTED_TENANT_ID, outcome: 'refused', errorCode: 'TENANT_UNKNOWN' });
      expect((await server.admin.verifyAudit({ tenantId: UNATTRIBUTED_TENANT_ID })).ok).toBe(true);
    });

    it("an org admin pages through the org's own trail and never sees another org's entries", async () => {
      const seen: AuditRecord[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await adminA.client.audit.events.list.query({ limit: 7, ...(before ? { before } : {}) });
        seen.push(...page.entries);
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      expect(seen.length).toBeGreaterThan(7);
      expect(seen.every((e) => e.tenantId === tenantA)).toBe(true);
      expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((x, y) => y - x));
      const ofB = new Set((await server.admin.listAudit({ tenantId: tenantB, limit: 500 })).entries.map((e) => e.id));
      expect(ofB.size).toBeGreaterThan(0);
      expect(seen.filter((e) => ofB.has(e.id))).toEqual([]);
      // Org B's admin, asked for the cross-tenant attempt's actor, gets nothing of A's.
      const byActor = await adminB.client.audit.events.list.query({ actorUserId: frontA.session.userId, limit: 500 });
      expect(byActor.entries).toEqual([]);
      expect(await appCodeOf(adminA.client.audit.events.list.query({ limit: 10_000 }))).toBe('VALIDATION');
      expect((await adminA.client.audit.events.list.query({ action: "x' OR '1'='1", limit: 10 })).entries).toEqual([]);
    });

    it('audit.verify reports an intact chain, and is itself audited', async () => {
      const result = await adminA.client.audit.verify.query();
      expect(result).toMatchObject({ ok: true, problems: [], truncated: false });
      expect(result.entries).toBeGreaterThan(5);
      expect(await latest(tenantA, { action: 'audit.verify' })).toMatchObject({ outcome: 'ok', actorUserId: adminA.session.userId, detail: { ok: true } });
    });

    it('front desk gets FORBIDDEN on audit.events.list, and the denial is audited', async () => {
      expect(await appCodeOf(frontA.client.audit.events.list.query({}))).toBe('FORBIDDEN');
      expect(await latest(tenantA, { action: 'audit.events.list', outcome: 'denied' })).toMatchObject({
        errorCode: 'FORBIDDEN',
        actorUserId: frontA.session.userId,
        actorRole: 'front_desk',
      });
    });

    it('the admin verify command records itself as an admin entry', async () => {
      const result = await server.admin.verifyAudit({ tenantId: tenantA });
      expect(result.ok).toBe(true);
      expect(await latest(tenantA)).toMatchObject({ action: 'admin:audit.verify', kind: 'admin', outcome: 'ok', detail: { ok: true, entries: result.entries } });
      await expect(server.admin.verifyAudit({ tenantId: 'northside' })).rejects.toMatchObject({ code: 'VALIDATION' });
    });

    it('no entry anywhere in the audit domain carries PHI', async () => {
      const rows = await server.databases.inspect('audit', (sql) => sql.query<{ row: string }>('SELECT e::text AS row FROM audit.events e'));
      const everything = rows.map((r) => r.row).join('\n');
      expect(everything).toContain(patientId); // the trail does name the patient, by id
      for (const value of Object.values(PLANTED)) expect(everything).not.toContain(value);
    });
  });
}
