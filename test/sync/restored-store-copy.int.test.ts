import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { refusal } from '../../electron/people/testing/people-desks.ts';
import { createWorkstation, type Workstation } from '../../electron/workstation.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { TEST_PASSPHRASE, removeDir } from '../support/workstations.ts';

/**
 * Issue 4: an older copy of an org's store put back over the current one (a backup
 * restore). The workstation recognises it, resyncs safely, and will not unlock it offline
 * until the server has vouched for someone again (its verifiers and lockout counters are
 * as old as the copy).
 */
describe('a store restored from an older copy, seen from the workstation', () => {
  const serverDir = mkdtempSync(path.join(tmpdir(), 'clinicsync-restored-server-'));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'clinicsync-restored-desk-'));
  const open: Workstation[] = [];
  let server: SyncServerHandle;

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite', dataDir: serverDir }, seedDemo: true });
  });
  afterAll(async () => {
    for (const ws of open) await ws.close();
    await server?.close();
    removeDir(serverDir);
    removeDir(dataDir);
  });

  const events: string[] = [];
  const desk = (serverUrl: string) => {
    const keystore = createFileKeystore({ dir: path.join(dataDir, 'keys'), passphrase: TEST_PASSPHRASE, log: () => {} });
    const ws = createWorkstation({ dataDir, serverUrl, keystore, log: (event) => events.push(event) });
    open.push(ws);
    return ws;
  };

  it('recovers the copy, refuses offline unlock until an online sign-in, and loses nothing the server has', async () => {
    const northside = server.demo!.orgs.find((o) => o.code === 'northside')!;
    const creds = { org: 'northside', username: 'frontdesk', password: northside.users.find((u) => u.username === 'frontdesk')!.password };
    const ws = desk(server.url);
    await ws.caller.session.signIn(creds);
    await ws.syncNow();
    const storeFile = ws.storePath(northside.tenantId);
    await ws.caller.session.signOut();
    const backup = `${storeFile}.backup-copy`;
    copyFileSync(storeFile, backup);

    await ws.caller.session.signIn(creds);
    const later = await ws.caller.patients.create({ givenName: 'Restora', familyName: 'Aftercopy', birthDate: '1990-01-01', sex: 'unknown', phone: '', mrn: 'RST-1' });
    await ws.syncNow();
    await ws.caller.session.signOut();
    await ws.close();

    // The backup goes back over the store (its side files with it, as a restore would).
    for (const suffix of ['-wal', '-shm']) rmSync(`${storeFile}${suffix}`, { force: true });
    copyFileSync(backup, storeFile);
    rmSync(backup);

    const offline = desk('http://127.0.0.1:9');
    const refused = await refusal(offline.caller.session.signIn(creds));
    expect(refused).toMatchObject({ code: 'OFFLINE', message: expect.stringMatching(/restored from an older copy/) });
    expect(events).toContain('store_restored_copy_recovered');
    await offline.close();

    const online = desk(server.url);
    expect(await online.caller.session.signIn(creds)).toMatchObject({ state: 'signed_in', mode: 'online' });
    await online.syncNow();
    expect((await online.caller.patients.list({ search: 'Aftercopy' })).map((p) => p.id)).toEqual([later.id]);
    await online.caller.session.signOut();
    await online.close();

    // Vouched for again: offline unlock works as before.
    const offlineAgain = desk('http://127.0.0.1:9');
    expect(await offlineAgain.caller.session.signIn(creds)).toMatchObject({ state: 'signed_in', mode: 'offline' });
    expect(existsSync(storeFile)).toBe(true);
  });
});
