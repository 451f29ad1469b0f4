import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { keyFilePath } from '../../electron/keystore/key-files.ts';
import { readWipeReceipts } from '../../electron/devices/wipe-receipts.ts';
import { createWorkstation, type Workstation } from '../../electron/workstation.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { refusal } from '../../electron/people/testing/people-desks.ts';
import { TEST_PASSPHRASE, filesBelow, removeDir } from '../support/workstations.ts';

/**
 * Issue 4, devices: enrollment with IT's one-time token, the credential sign-ins then
 * carry, and the wipe of an org's copy when the server says the device was revoked or the
 * org has left — on a real sync server (PGlite), real SQLCipher stores and file keystores.
 */
describe('device lifecycle on the workstation (enroll, revoke, offboard, wipe, report)', () => {
  const serverDir = mkdtempSync(path.join(tmpdir(), 'clinicsync-lifecycle-server-'));
  const desks: { dataDir: string; workstation: Workstation }[] = [];
  let server: SyncServerHandle;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite', dataDir: serverDir }, seedDemo: true });
  });
  afterAll(async () => {
    for (const desk of desks) await desk.workstation.close();
    await server?.close();
    for (const desk of desks) removeDir(desk.dataDir);
    removeDir(serverDir);
  });

  const org = (code: string) => {
    const found = server.demo?.orgs.find((o) => o.code === code);
    if (!found) throw new Error(`no demo org ${code}`);
    return found;
  };
  const creds = (code: string, username = 'frontdesk') => ({ org: code, username, password: org(code).users.find((u) => u.username === username)!.password });

  function newDesk(name: string, serverUrl = server.url) {
    const dataDir = mkdtempSync(path.join(tmpdir(), `clinicsync-${name}-`));
    const keystore = createFileKeystore({ dir: path.join(dataDir, 'keys'), passphrase: TEST_PASSPHRASE, log: () => {} });
    const events: { event: string; fields: Record<string, string> }[] = [];
    const workstation = createWorkstation({ dataDir, serverUrl, keystore, deviceName: name, log: (event, fields) => events.push({ event, fields }) });
    desks.push({ dataDir, workstation });
    return { dataDir, workstation, events, storesDir: path.join(dataDir, 'stores'), keysDir: path.join(dataDir, 'keys') };
  }

  /**
   * The next contact with the server: a sync now (the background loop may get there first,
   * in which case this one finds sync already stopped), then the wipe's notice.
   */
  async function nextContactRemoves(workstation: Workstation): Promise<void> {
    const error = await workstation.syncNow().then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ code: expect.stringMatching(/^(DEVICE_REVOKED|ORG_OFFBOARDED|STORE_LOCKED)$/) });
    await vi.waitFor(() => expect(workstation.sessionStatus()).toMatchObject({ state: 'signed_out', notice: expect.any(String) }));
  }

  const orgFiles = (storesDir: string, tenantId: string) => (existsSync(storesDir) ? readdirSync(storesDir).filter((n) => n.startsWith(tenantId)) : []);

  it('enrolls with a one-time token: the credential is sealed on disk, carried at sign-in, and the token works once', async () => {
    const northside = org('northside');
    const { token } = await server.admin.issueEnrollmentToken({ tenantId: northside.tenantId });
    const desk = newDesk('enroll-a');
    expect(await desk.workstation.caller.device.enroll({ token })).toEqual({ orgCode: 'northside', orgName: northside.name });

    // The credential never sits in a plain file: only sealed (AES-GCM under the org key) beside the store.
    const credentialShape = /cd1\.[0-9a-f-]{36}\./;
    for (const file of filesBelow(desk.dataDir)) expect(readFileSync(file, 'latin1')).not.toMatch(credentialShape);
    expect(existsSync(path.join(desk.storesDir, `${northside.tenantId}.secrets`))).toBe(true);

    expect(await desk.workstation.caller.session.signIn(creds('northside'))).toMatchObject({ state: 'signed_in', mode: 'online' });
    const devices = await server.admin.listDevices(northside.tenantId);
    expect(devices.find((d) => d.deviceId === desk.workstation.deviceId)).toMatchObject({ enrolledVia: 'token', revokedAt: null });

    const other = newDesk('enroll-b');
    expect((await refusal(other.workstation.caller.device.enroll({ token }))).code).toBe('INVALID_CREDENTIALS');
    expect((await refusal(other.workstation.caller.device.enroll({ token: 'not-a-token' }))).code).toBe('VALIDATION');
  });

  it('an org that requires enrolled workstations refuses a self-registering one and admits the enrolled one; a lost credential is refused', async () => {
    const lakeview = org('lakeview');
    await server.admin.setPolicy({ tenantId: lakeview.tenantId, change: { requireEnrolledDevices: true } });
    try {
      const stranger = newDesk('not-enrolled');
      expect((await refusal(stranger.workstation.caller.session.signIn(creds('lakeview')))).code).toBe('DEVICE_NOT_ENROLLED');
      expect(orgFiles(stranger.storesDir, lakeview.tenantId)).toEqual([]);

      const enrolled = newDesk('enrolled');
      await enrolled.workstation.caller.device.enroll({ token: (await server.admin.issueEnrollmentToken({ tenantId: lakeview.tenantId })).token });
      expect(await enrolled.workstation.caller.session.signIn(creds('lakeview'))).toMatchObject({ state: 'signed_in' });
      await enrolled.workstation.caller.session.signOut();

      // Without its sealed credential the enrolled device is just a device id, which proves nothing.
      rmSync(path.join(enrolled.storesDir, `${lakeview.tenantId}.secrets`));
      expect((await refusal(enrolled.workstation.caller.session.signIn(creds('lakeview')))).code).toBe('INVALID_CREDENTIALS');
    } finally {
      await server.admin.setPolicy({ tenantId: lakeview.tenantId, change: { requireEnrolledDevices: false } });
    }
  });

  it('a device revoked while signed in wipes that org (store, side files, key) on its next sync, keeps its other org, and reports the wipe to the audit trail', async () => {
    const northside = org('northside');
    const lakeview = org('lakeview');
    const desk = newDesk('revoked-online');
    await desk.workstation.caller.session.signIn(creds('lakeview'));
    await desk.workstation.syncNow();
    await desk.workstation.caller.session.signIn(creds('northside'));
    await desk.workstation.syncNow();
    expect((await desk.workstation.caller.patients.list({ limit: 5 })).length).toBeGreaterThan(0);
    expect(orgFiles(desk.storesDir, northside.tenantId)).toContain(`${northside.tenantId}.db`);

    await server.admin.revokeDevice({ tenantId: northside.tenantId, deviceId: desk.workstation.deviceId });
    await nextContactRemoves(desk.workstation);
    expect(desk.workstation.sessionStatus().notice).toMatch(/removed this workstation from Northside Family Practice/);
    expect(orgFiles(desk.storesDir, northside.tenantId)).toEqual([]);
    expect(existsSync(keyFilePath(desk.keysDir, northside.tenantId))).toBe(false);
    expect(readFileSync(path.join(desk.dataDir, 'orgs.json'), 'utf8')).not.toContain(northside.tenantId);
    // The other org on this workstation is untouched.
    expect(orgFiles(desk.storesDir, lakeview.tenantId)).toContain(`${lakeview.tenantId}.db`);
    expect(existsSync(keyFilePath(desk.keysDir, lakeview.tenantId))).toBe(true);

    expect(await desk.workstation.reportWipes()).toEqual(new Map()); // the wipe's own report already went out
    expect(readWipeReceipts(desk.dataDir)).toEqual([]);
    const device = (await server.admin.listDevices(northside.tenantId)).find((d) => d.deviceId === desk.workstation.deviceId);
    expect(device?.wipedAt).not.toBeNull();
    const audit = await server.admin.listAudit({ tenantId: northside.tenantId, action: 'devices.reportWipe' });
    expect(audit.entries).toEqual([expect.objectContaining({ outcome: 'ok', entity: 'device', ids: [desk.workstation.deviceId], detail: expect.objectContaining({ reason: 'device_revoked' }) })]);
    expect(desk.events.map((e) => e.event)).toContain('org_wiped');
  });

  it('a device revoked while nobody was signed in wipes the org at the next sign-in with the right password; a wrong password wipes nothing', async () => {
    const northside = org('northside');
    const desk = newDesk('revoked-offline');
    await desk.workstation.caller.session.signIn(creds('northside'));
    await desk.workstation.syncNow();
    await desk.workstation.caller.session.signOut();
    await server.admin.revokeDevice({ tenantId: northside.tenantId, deviceId: desk.workstation.deviceId });

    expect((await refusal(desk.workstation.caller.session.signIn({ ...creds('northside'), password: 'wrong-password' }))).code).toBe('INVALID_CREDENTIALS');
    expect(orgFiles(desk.storesDir, northside.tenantId)).toContain(`${northside.tenantId}.db`);

    expect((await refusal(desk.workstation.caller.session.signIn(creds('northside')))).code).toBe('DEVICE_REVOKED');
    expect(orgFiles(desk.storesDir, northside.tenantId)).toEqual([]);
    expect(existsSync(keyFilePath(desk.keysDir, northside.tenantId))).toBe(false);
    expect(desk.workstation.sessionStatus()).toMatchObject({ state: 'signed_out', notice: expect.stringMatching(/data was deleted/) });
    await desk.workstation.reportWipes();
    const audit = await server.admin.listAudit({ tenantId: northside.tenantId, action: 'devices.reportWipe', deviceId: undefined });
    expect(audit.entries.some((e) => e.ids.includes(desk.workstation.deviceId) && e.outcome === 'ok')).toBe(true);
  });

  it('keeps a wipe report while the server is away and delivers it later', async () => {
    const northside = org('northside');
    const desk = newDesk('report-later');
    await desk.workstation.caller.session.signIn(creds('northside'));
    await desk.workstation.syncNow();
    await server.admin.revokeDevice({ tenantId: northside.tenantId, deviceId: desk.workstation.deviceId });
    await nextContactRemoves(desk.workstation);
    await desk.workstation.reportWipes();

    // The same data folder, opened by an app pointed at an address nothing listens on.
    await desk.workstation.close();
    const { upsertWipeReceipt } = await import('../../electron/devices/wipe-receipts.ts');
    const proof = 'cs1.not-a-real-token';
    upsertWipeReceipt(desk.dataDir, { tenantId: northside.tenantId, deviceId: desk.workstation.deviceId, reason: 'device_revoked', wipedAt: new Date().toISOString(), proof, state: 'wiped', orgName: northside.name });
    const keystore = createFileKeystore({ dir: desk.keysDir, passphrase: TEST_PASSPHRASE, log: () => {} });
    const away = createWorkstation({ dataDir: desk.dataDir, serverUrl: 'http://127.0.0.1:9', keystore, log: () => {} });
    desks.push({ dataDir: desk.dataDir, workstation: away });
    expect(await away.reportWipes()).toEqual(new Map([[northside.tenantId, 'kept']]));
    expect(readWipeReceipts(desk.dataDir)).toHaveLength(1);
    // Back in contact: the forged proof is refused for good (not retried forever), and the receipt is dropped.
    // (The start-up itself reports what is pending; reportWipes waits for that and finds nothing left.)
    const logged: string[] = [];
    const back = createWorkstation({ dataDir: desk.dataDir, serverUrl: server.url, keystore, log: (event, fields) => logged.push(`${event}:${fields['code']}`) });
    desks.push({ dataDir: desk.dataDir, workstation: back });
    await vi.waitFor(() => expect(logged).toContain('wipe_report_refused:INVALID_CREDENTIALS'));
    expect(await back.reportWipes()).toEqual(new Map());
    expect(readWipeReceipts(desk.dataDir)).toEqual([]);
  });

  it('every device of an offboarded org wipes it on its next contact and reports it', async () => {
    const lakeview = org('lakeview');
    const desk = newDesk('offboarded');
    await desk.workstation.caller.session.signIn(creds('lakeview'));
    await desk.workstation.syncNow();
    const idle = newDesk('offboarded-idle');
    await idle.workstation.caller.session.signIn(creds('lakeview'));
    await idle.workstation.syncNow();
    await idle.workstation.caller.session.signOut();

    await server.admin.setStatus({ tenantId: lakeview.tenantId, status: 'offboarded' });
    await nextContactRemoves(desk.workstation);
    expect(desk.workstation.sessionStatus().notice).toMatch(/Lakeview Veterinary Clinic has left Clinicsync/);
    expect(orgFiles(desk.storesDir, lakeview.tenantId)).toEqual([]);

    expect((await refusal(idle.workstation.caller.session.signIn({ ...creds('lakeview'), password: 'anything at all' }))).code).toBe('ORG_OFFBOARDED');
    expect(orgFiles(idle.storesDir, lakeview.tenantId)).toEqual([]);
    expect(existsSync(keyFilePath(idle.keysDir, lakeview.tenantId))).toBe(false);

    await desk.workstation.reportWipes();
    await idle.workstation.reportWipes();
    const devices = await server.admin.listDevices(lakeview.tenantId);
    for (const id of [desk.workstation.deviceId, idle.workstation.deviceId]) expect(devices.find((d) => d.deviceId === id)?.wipedAt).not.toBeNull();
  });
});
