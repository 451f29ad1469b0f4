import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { DEFAULT_ORG_POLICY, sessionInfoSchema } from '../../../shared/sync/auth.ts';
import type { LogEvent } from '../../log.ts';
import { BreakGlassLog } from '../../domains/tenant_info/break-glass.ts';
import { TenantDirectory } from '../../domains/tenant_info/tenants.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, createOrg, signedIn, startTestServer, type TestServer } from '../../testing/harness.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/break-glass-policy (PostgreSQL)'), testPostgresUrl());

type Org = { code: string; tenantId: string; username: string; password: string };

for (const engine of engines) {
  describe.skipIf(!engine.available)(`break-glass uploads and the org policy (${engine.name})`, () => {
    let server: TestServer;
    let tenants: TenantDirectory;
    let breakGlass: BreakGlassLog;
    const events: LogEvent[] = [];
    const suffix = uuidv7().slice(-6);
    let org: Org;
    let other: Org;

    const newOrg = async (name: string): Promise<Org> => {
      const code = `${name}-${suffix}`;
      return { code, ...(await createOrg(server, code)) };
    };
    const started = Date.parse('2030-03-04T10:00:00.000Z');
    const entry = (userId: string, overrides: Record<string, string> = {}) => ({
      id: uuidv7(),
      userId,
      reason: `Collapsed in waiting room ${uuidv7().slice(-8)}`,
      startedAt: new Date(started).toISOString(),
      expiresAt: new Date(started + 60 * 60_000).toISOString(),
      ...overrides,
    });

    beforeAll(async () => {
      server = await startTestServer(engine, { log: (event) => events.push(event) });
      tenants = new TenantDirectory(server.databases.domains.tenant_info);
      breakGlass = new BreakGlassLog(server.databases.domains.tenant_info);
      org = await newOrg('bg-one');
      other = await newOrg('bg-two');
    });
    afterAll(() => server?.stop());

    it('stores break-glass entries once (idempotent on the id), audited by id without the reason', async () => {
      const desk = await signedIn(server, org);
      const first = entry(desk.session.userId);
      const second = entry(desk.session.userId, { startedAt: '2030-03-05T10:00:00+02:00', expiresAt: '2030-03-05T11:00:00+02:00' });
      const upload = (...entries: ReturnType<typeof entry>[]) => desk.client.devices.uploadBreakGlass.mutate({ deviceId: desk.deviceId, entries });

      expect(await upload(first)).toEqual({ stored: 1 });
      expect(await upload(first, second)).toEqual({ stored: 1 });
      expect(await upload({ ...first, reason: 'A different story, later' }, second)).toEqual({ stored: 0 });
      expect(await breakGlass.list(org.tenantId)).toEqual([
        { ...first, deviceId: desk.deviceId, startedAt: '2030-03-04T10:00:00.000Z', expiresAt: '2030-03-04T11:00:00.000Z' },
        { ...second, deviceId: desk.deviceId, startedAt: '2030-03-05T08:00:00.000Z', expiresAt: '2030-03-05T09:00:00.000Z' },
      ]);

      const entries = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'devices.uploadBreakGlass' })).entries;
      expect(entries.map((e) => [e.outcome, e.entity, e.ids, e.detail.stored])).toEqual([
        ['ok', 'break_glass', [first.id, second.id], 0],
        ['ok', 'break_glass', [first.id, second.id], 1],
        ['ok', 'break_glass', [first.id], 1],
      ]);
      const written = JSON.stringify(entries) + JSON.stringify(events);
      for (const reason of [first.reason, second.reason, 'A different story']) expect(written).not.toContain(reason);
    });

    it('refuses an entry of someone outside the org (naming the entry), another workstation, and a time span backwards; stores nothing', async () => {
      const desk = await signedIn(server, org);
      const outsider = await signedIn(server, other);
      const mine = entry(desk.session.userId);
      const upload = (deviceId: string, ...entries: ReturnType<typeof entry>[]) => desk.client.devices.uploadBreakGlass.mutate({ deviceId, entries });
      const before = (await breakGlass.list(org.tenantId)).length;

      await expect(upload(desk.deviceId, mine, entry(outsider.session.userId))).rejects.toMatchObject({
        data: { appCode: 'VALIDATION' },
        message: expect.stringMatching(/entry 1 \(entries\.1\.userId\).*not a member/),
      });
      expect(await appCodeOf(upload(desk.deviceId, entry(uuidv7())))).toBe('VALIDATION');
      await expect(upload(desk.deviceId, mine, entry(desk.session.userId, { expiresAt: '2030-03-04T09:00:00.000Z' }))).rejects.toMatchObject({
        data: { appCode: 'VALIDATION' },
        message: expect.stringMatching(/entry 1 \(entries\.1\) ends before it starts/),
      });
      const elsewhere = await signedIn(server, org);
      expect(await appCodeOf(upload(elsewhere.deviceId, mine))).toBe('FORBIDDEN');
      expect(await appCodeOf(upload(outsider.deviceId, mine))).toBe('FORBIDDEN');
      expect(await appCodeOf(upload(desk.deviceId, { ...mine, reason: 'too short' }))).toBe('VALIDATION');
      expect((await breakGlass.list(org.tenantId)).length).toBe(before);
      expect(await breakGlass.list(other.tenantId)).toEqual([]);
      // The refusals are audited too, by id and without the reason text (a schema refusal
      // comes before the handler, so its entry names no ids).
      const refused = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'devices.uploadBreakGlass', entityId: mine.id })).entries;
      expect(refused.map((e) => e.errorCode).sort()).toEqual(['FORBIDDEN', 'FORBIDDEN', 'VALIDATION', 'VALIDATION']);
      expect(JSON.stringify(refused)).not.toContain(mine.reason);
    });

    it("sends the org's own policy with every session; a new org gets DEFAULT_ORG_POLICY", async () => {
      const fresh = await newOrg('bg-policy');
      expect(sessionInfoSchema.parse((await signedIn(server, fresh)).session).policy).toEqual(DEFAULT_ORG_POLICY);
      expect(await server.admin.setPolicy({ tenantId: fresh.tenantId, change: { offlineUnlockDays: 0, breakGlassMinutes: 480, maxUnlockFailures: 3 } })).toEqual({
        policy: { ...DEFAULT_ORG_POLICY, offlineUnlockDays: 0, breakGlassMinutes: 480, maxUnlockFailures: 3 },
        requireEnrolledDevices: false,
      });
      expect((await signedIn(server, fresh)).session.policy).toEqual({ ...DEFAULT_ORG_POLICY, offlineUnlockDays: 0, breakGlassMinutes: 480, maxUnlockFailures: 3 });
      // Another org keeps its own.
      expect((await signedIn(server, other)).session.policy).toEqual(DEFAULT_ORG_POLICY);
      const audit = (await server.admin.listAudit({ tenantId: fresh.tenantId, action: 'admin:tenant.set-policy' })).entries;
      expect(audit[0]).toMatchObject({ outcome: 'ok', detail: { offlineUnlockDays: 0, breakGlassMinutes: 480, requireEnrolledDevices: false } });
    });

    it('refuses a policy outside the bounds or with unknown keys, and an org that does not exist; changes nothing', async () => {
      const fresh = await newOrg('bg-bounds');
      const refusals = [
        { offlineUnlockDays: 31 },
        { idleLockMinutes: 0 },
        { maxUnlockFailures: 21 },
        { lockoutMinutes: 1441 },
        { breakGlassMinutes: 4 },
        { idleLockMinutes: 2.5 },
        { offlineUnlockDays: -1 },
        { sessionHours: 99 },
      ];
      for (const change of refusals) {
        await expect(tenants.setPolicy(fresh.tenantId, change as never), JSON.stringify(change)).rejects.toMatchObject({ code: 'VALIDATION' });
      }
      await expect(tenants.setPolicy(fresh.tenantId, { lockoutMinutes: 1441 })).rejects.toThrow(/lockoutMinutes/);
      await expect(tenants.setPolicy(uuidv7(), { idleLockMinutes: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(tenants.setPolicy('northside', { idleLockMinutes: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(tenants.setStatus(uuidv7(), 'suspended')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(tenants.setStatus(fresh.tenantId, 'closed' as never)).rejects.toMatchObject({ code: 'VALIDATION' });
      await expect(server.admin.setPolicy({ tenantId: uuidv7(), change: { idleLockMinutes: 5 } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect((await tenants.get(fresh.tenantId))?.policy).toEqual(DEFAULT_ORG_POLICY);
      // Bounds are inclusive.
      expect((await tenants.setPolicy(fresh.tenantId, { offlineUnlockDays: 30, idleLockMinutes: 1, lockoutMinutes: 1440, breakGlassMinutes: 5 })).policy).toMatchObject({
        offlineUnlockDays: 30,
        idleLockMinutes: 1,
        lockoutMinutes: 1440,
        breakGlassMinutes: 5,
      });
    });
  });
}
