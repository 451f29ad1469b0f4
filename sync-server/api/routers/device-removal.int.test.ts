import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callRaw } from '../../../test/support/attack-calls.ts';
import { listProcedures } from '../../../test/support/attack-procedures.ts';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { SessionInfo } from '../../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import type { LogEvent } from '../../log.ts';
import { TenantDirectory } from '../../domains/tenant_info/tenants.ts';
import { testEngines } from '../../testing/engines.ts';
import { appCodeOf, createOrg, signedIn, startTestServer, syncClient, type SyncClient, type TestServer } from '../../testing/harness.ts';
import { syncServerRouter } from '../router.ts';

const engines = testEngines(await requirePostgres('sync-server/api/routers/device-removal (PostgreSQL)'), testPostgresUrl());

type Org = { code: string; tenantId: string; username: string; password: string };

/** The appCode a pokes subscription over WebSocket ends with (connectionParams carry org and token). */
function wsRefusal(client: SyncClient): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sub = client.sync.pokes.subscribe(
      { protocolVersion: PROTOCOL_VERSION },
      { onStarted: () => resolve('STARTED'), onData: () => resolve('DATA'), onError: (error) => resolve((error.data as { appCode?: string } | undefined)?.appCode) },
    );
    setTimeout(() => {
      sub.unsubscribe();
      resolve('TIMEOUT');
    }, 5_000);
  });
}

const pull = (client: SyncClient) => client.sync.pull.query({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0' });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`revoked devices, offboarded orgs and wipe reports (${engine.name})`, () => {
    let server: TestServer;
    let tenants: TenantDirectory;
    const events: LogEvent[] = [];
    const suffix = uuidv7().slice(-6);

    const newOrg = async (name: string): Promise<Org> => {
      const code = `${name}-${suffix}`;
      return { code, ...(await createOrg(server, code)) };
    };
    const signIn = (org: Org, overrides: { deviceId?: string; password?: string; username?: string; deviceCredential?: string } = {}) =>
      syncClient(server.url).auth.signIn.mutate({
        protocolVersion: PROTOCOL_VERSION,
        org: org.code,
        username: overrides.username ?? org.username,
        password: overrides.password ?? org.password,
        deviceId: overrides.deviceId ?? uuidv7(),
        ...(overrides.deviceCredential ? { deviceCredential: overrides.deviceCredential } : {}),
      });
    const reportWipe = (input: { tenantId: string; deviceId: string; proof: string; reason?: 'device_revoked' | 'org_offboarded'; wipedAt?: string }, headers: { tenantId?: string } = {}) =>
      syncClient(server.url, headers).devices.reportWipe.mutate({
        protocolVersion: PROTOCOL_VERSION,
        reason: 'device_revoked',
        wipedAt: new Date().toISOString(),
        ...input,
      });
    const deviceRow = async (tenantId: string, deviceId: string) => (await server.admin.listDevices(tenantId)).find((device) => device.deviceId === deviceId);

    beforeAll(async () => {
      server = await startTestServer(engine, { log: (event) => events.push(event) });
      tenants = new TenantDirectory(server.databases.domains.tenant_info);
    });
    afterAll(() => server?.stop());

    it('tells a revoked workstation DEVICE_REVOKED at sign-in (right password only) and on sync (HTTP and WebSocket)', async () => {
      const org = await newOrg('rm-rev');
      const desk = await signedIn(server, org);
      const bystander = await signedIn(server, org);
      await server.admin.revokeDevice({ tenantId: org.tenantId, deviceId: desk.deviceId });
      expect(await appCodeOf(signIn(org, { deviceId: desk.deviceId }))).toBe('DEVICE_REVOKED');
      expect(await appCodeOf(signIn(org, { deviceId: desk.deviceId, password: 'not-the-password' }))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(signIn(org, { deviceId: desk.deviceId, username: 'nobody' }))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(pull(desk.client))).toBe('DEVICE_REVOKED');
      expect(await wsRefusal(desk.client)).toBe('DEVICE_REVOKED');
      // The org's other workstations are untouched.
      expect(await appCodeOf(pull(bystander.client))).toBeUndefined();
      // A forged token of the org stays UNAUTHENTICATED (nothing is said about any device).
      const forged = syncClient(server.url, { tenantId: org.tenantId, token: `cs1.${org.tenantId}.${'A'.repeat(43)}` });
      expect(await appCodeOf(pull(forged))).toBe('UNAUTHENTICATED');
      const refused = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'sync.pull', outcome: 'refused' })).entries;
      expect(refused.find((entry) => entry.errorCode === 'DEVICE_REVOKED')).toMatchObject({ entity: 'device', ids: [desk.deviceId] });
    });

    it('tells everyone ORG_OFFBOARDED once the org has left: at sign-in whatever the credentials, and on sync; suspended stays TENANT_SUSPENDED', async () => {
      const gone = await newOrg('rm-gone');
      const frozen = await newOrg('rm-frozen');
      const goneDesk = await signedIn(server, gone);
      const frozenDesk = await signedIn(server, frozen);
      expect(await tenants.setStatus(gone.tenantId, 'offboarded')).toEqual({ from: 'active', to: 'offboarded' });
      await tenants.setStatus(frozen.tenantId, 'suspended');
      expect(await appCodeOf(signIn(gone))).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(signIn(gone, { password: 'not-the-password' }))).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(signIn(gone, { username: 'nobody' }))).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(pull(goneDesk.client))).toBe('ORG_OFFBOARDED');
      expect(await wsRefusal(goneDesk.client)).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(pull(syncClient(server.url, { tenantId: gone.tenantId })))).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(signIn(frozen))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(pull(frozenDesk.client))).toBe('TENANT_SUSPENDED');
      // Offboarding is final.
      await expect(tenants.setStatus(gone.tenantId, 'active')).rejects.toMatchObject({ code: 'CONFLICT' });
      expect((await server.admin.listAudit({ tenantId: gone.tenantId, action: 'auth.signIn', outcome: 'refused' })).entries.length).toBe(3);
    });

    it('lets no procedure but the public ones past a revoked device’s token or an offboarded org', async () => {
      const org = await newOrg('rm-all');
      const gone = await newOrg('rm-all-gone');
      const revoked = await signedIn(server, org);
      const goneDesk = await signedIn(server, gone);
      await server.admin.revokeDevice({ tenantId: org.tenantId, deviceId: revoked.deviceId });
      await tenants.setStatus(gone.tenantId, 'offboarded');
      const guarded = listProcedures(syncServerRouter).filter((procedure) => !procedure.isPublic);
      expect(guarded.map((procedure) => procedure.path)).toContain('devices.uploadBreakGlass');
      const answers: string[] = [];
      for (const procedure of guarded) {
        for (const [session, code] of [[revoked.session, 'DEVICE_REVOKED'], [goneDesk.session, 'ORG_OFFBOARDED']] as [SessionInfo, string][]) {
          const headers = { 'x-tenant-id': session.tenantId, authorization: `Bearer ${session.token}` };
          const outcome = await callRaw(server.url, procedure.type, procedure.path, { protocolVersion: PROTOCOL_VERSION }, headers);
          if (outcome.appCode !== code) answers.push(`${procedure.path}: ${outcome.ok ? 'served' : outcome.appCode} instead of ${code}`);
        }
      }
      expect(answers).toEqual([]);
    });

    it('records a wipe report proven by a token this device held in this org (even revoked), once, audited', async () => {
      const org = await newOrg('rm-wipe');
      const other = await newOrg('rm-wipe-other');
      const desk = await signedIn(server, org);
      const neighbour = await signedIn(server, org);
      const elsewhere = await signedIn(server, other, desk.deviceId); // same workstation, another org
      await server.admin.revokeDevice({ tenantId: org.tenantId, deviceId: desk.deviceId });
      const report = { tenantId: org.tenantId, deviceId: desk.deviceId };

      for (const proof of [neighbour.session.token, elsewhere.session.token, `cs1.${org.tenantId}.${'A'.repeat(43)}`, 'garbage', `cd1.${org.tenantId}.${'A'.repeat(43)}`]) {
        expect(await appCodeOf(reportWipe({ ...report, proof })), proof.slice(0, 12)).toBe('INVALID_CREDENTIALS');
      }
      expect(await appCodeOf(reportWipe({ ...report, tenantId: uuidv7(), proof: desk.session.token }))).toBe('INVALID_CREDENTIALS');
      expect(await appCodeOf(reportWipe({ ...report, proof: desk.session.token }, { tenantId: other.tenantId }))).toBe('TENANT_MISMATCH');
      expect((await deviceRow(org.tenantId, desk.deviceId))?.wipedAt).toBeNull();

      const wipedAt = '2030-01-01T00:00:00.000Z'; // a clock running ahead: recorded as the time of the report at the latest
      const before = Date.now();
      expect(await reportWipe({ ...report, proof: desk.session.token, wipedAt }, { tenantId: org.tenantId })).toEqual({ ok: true });
      const first = await deviceRow(org.tenantId, desk.deviceId);
      expect(first).toMatchObject({ wipeReason: 'device_revoked', revokedAt: expect.any(String) });
      expect(Date.parse(first!.wipedAt!)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(first!.wipedAt!)).toBeLessThanOrEqual(Date.now() + 1000);

      // Idempotent: a second report changes nothing.
      expect(await reportWipe({ ...report, proof: desk.session.token, reason: 'org_offboarded', wipedAt: '2020-01-01T00:00:00.000Z' })).toEqual({ ok: true });
      expect(await deviceRow(org.tenantId, desk.deviceId)).toEqual(first);

      const entries = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'devices.reportWipe' })).entries;
      const ok = entries.filter((entry) => entry.outcome === 'ok');
      expect(ok.map((entry) => entry.detail.firstReport)).toEqual([false, true]);
      expect(ok[1]).toMatchObject({ entity: 'device', ids: [desk.deviceId], actorDeviceId: desk.deviceId, actorSessionId: expect.any(String), detail: { reason: 'device_revoked', proof: 'session' } });
      expect(entries.filter((entry) => entry.errorCode === 'INVALID_CREDENTIALS').length).toBe(5);
      expect(JSON.stringify(entries)).not.toContain(desk.session.token);
      expect(JSON.stringify(events)).not.toContain(desk.session.token.split('.')[2]);
      // The other org heard nothing of it.
      expect((await deviceRow(other.tenantId, desk.deviceId))?.wipedAt).toBeNull();
    });

    it('records a wipe report after offboarding, proven by the device credential or an expired token', async () => {
      const org = await newOrg('rm-wipe-gone');
      const { token } = await server.admin.issueEnrollmentToken({ tenantId: org.tenantId });
      const enrolledId = uuidv7();
      const { deviceCredential } = await syncClient(server.url).devices.enroll.mutate({ protocolVersion: PROTOCOL_VERSION, token, deviceId: enrolledId, deviceName: 'Desk E' });
      const expiring = await signedIn(server, org);
      await server.admin.expireSession({ tenantId: org.tenantId, token: expiring.session.token });
      await tenants.setStatus(org.tenantId, 'offboarded');

      expect(await appCodeOf(reportWipe({ tenantId: org.tenantId, deviceId: expiring.deviceId, proof: deviceCredential, reason: 'org_offboarded' }))).toBe('INVALID_CREDENTIALS');
      expect(await reportWipe({ tenantId: org.tenantId, deviceId: enrolledId, proof: deviceCredential, reason: 'org_offboarded' })).toEqual({ ok: true });
      expect(await reportWipe({ tenantId: org.tenantId, deviceId: expiring.deviceId, proof: expiring.session.token, reason: 'org_offboarded' })).toEqual({ ok: true });
      const devices = await server.admin.listDevices(org.tenantId);
      expect(devices.map((device) => device.wipeReason).sort()).toEqual(['org_offboarded', 'org_offboarded']);
      const entry = (await server.admin.listAudit({ tenantId: org.tenantId, action: 'devices.reportWipe', entityId: enrolledId, outcome: 'ok' })).entries[0];
      expect(entry).toMatchObject({ actorUserId: null, detail: { reason: 'org_offboarded', proof: 'device_credential', firstReport: true } });
    });
  });
}
