import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreOpenError } from '../store/store-errors.ts';
import { damageMarkPath, holdIntegrityChecksForTest } from '../store/store-integrity.ts';
import { fileDigest, flipByteInPage, lastUsedPage } from '../test-support/store-damage.ts';
import { freePort, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import { createDesks, refusal, UNREACHABLE_URL, type Desk } from './testing/people-desks.ts';

const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/people/integrity-ends-session.int.test.ts: sync-server/main.ts is not there yet');

/**
 * Damage found after sign-in, on a whole workstation: a real SQLCipher store filled by a
 * real sync, an offline sign-in (nothing written to the store, so the file on disk is what
 * the store holds), a flipped bit in a page the open does not read, and the real
 * background worker thread that reads every page. The background read is held back
 * (store-integrity.ts's test seam) until the damage is made, so the test does not race
 * the worker whatever the machine's load.
 */
describe.skipIf(!available)('people on the workstation: the store found damaged after sign-in (real worker thread)', () => {
  let server: SyncServerProcess;
  const desks = createDesks();
  let desk: Desk;
  const creds = () => ({ org: 'northside', username: 'frontdesk', password: server.demoPasswords.get('northside') ?? '' });

  beforeAll(async () => {
    server = await startSyncServerProcess({ port: await freePort(), dataDir: join(desks.desk('server').dataDir, 'server') });
    desk = desks.desk('damaged');
    const online = desk.open(server.url);
    await online.caller.session.signIn(creds());
    await online.syncNow();
    await online.close();
  }, 120_000);
  afterAll(async () => {
    await desks.cleanup();
    await server?.stop();
  });

  it('ends the session with the damaged notice, marks the store, and the next open refuses it untouched', async () => {
    const ws = desk.open(UNREACHABLE_URL);
    const hold = holdIntegrityChecksForTest();
    let path: string;
    try {
      expect(await ws.caller.session.signIn(creds())).toMatchObject({ state: 'signed_in', mode: 'offline' });
      expect((await ws.caller.patients.list({ limit: 500 })).length).toBeGreaterThan(0);
      path = ws.storePath(ws.currentTenantId()!);
      const store = ws.store();
      // Everything committed is in the file itself (not only in the WAL, where the worker would read it instead).
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      flipByteInPage(path, lastUsedPage(store.db));
      expect(existsSync(damageMarkPath(path))).toBe(false);
      expect(await ws.caller.session.status()).toMatchObject({ state: 'signed_in' });
    } finally {
      hold.release();
    }

    await expect.poll(async () => (await ws.caller.session.status()).state, { timeout: 30_000, interval: 100 }).toBe('signed_out');
    expect(await ws.caller.session.status()).toMatchObject({ state: 'signed_out', user: null, org: null, notice: new StoreOpenError('damaged').message });
    expect((await refusal(ws.caller.patients.list({ limit: 1 }))).code).toBe('STORE_LOCKED');
    expect(existsSync(damageMarkPath(path))).toBe(true);

    // The next open reads every page first and refuses the file, writing nothing to it.
    const before = fileDigest(path);
    expect(await refusal(ws.caller.session.signIn(creds()))).toMatchObject({ code: 'STORE_MISMATCH', message: expect.stringMatching(/damaged/) });
    expect(fileDigest(path)).toBe(before);
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(await ws.caller.session.status()).toMatchObject({ state: 'signed_out' });
  });
});
