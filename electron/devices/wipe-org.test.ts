import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { keyFilePath } from '../keystore/key-files.ts';
import { OrgStore } from '../store/org-store.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { finishInterruptedWipes, storeFilesOf, wipeOrg } from './wipe-org.ts';
import { readWipeReceipts, upsertWipeReceipt } from './wipe-receipts.ts';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

async function workstationWithTwoOrgs() {
  dir = tempDir();
  const storesDir = join(dir.path, 'stores');
  const keysDir = join(dir.path, 'keys');
  const keystore = createFileKeystore({ dir: keysDir, passphrase: 'correct horse battery', log: () => undefined });
  const deviceId = uuidv7();
  const orgs = [uuidv7(), uuidv7()] as const;
  for (const tenantId of orgs) {
    const store = OrgStore.open({ path: join(storesDir, `${tenantId}.db`), key: await keystore.getOrCreateStoreKey(tenantId), tenantId, deviceId });
    store.patients.create(samplePatient());
    store.close();
  }
  return { target: { dataDir: dir.path, storesDir, keystore }, keysDir, storesDir, deviceId, orgs };
}

const receiptFor = (tenantId: string, deviceId: string) =>
  ({ tenantId, deviceId, reason: 'device_revoked', wipedAt: new Date().toISOString(), proof: 'cs1.dead-token', orgName: 'Northside' }) as const;

describe('wipeOrg', () => {
  it("deletes the org's key and every file of its store, and leaves the other org untouched", async () => {
    const { target, keysDir, storesDir, deviceId, orgs } = await workstationWithTwoOrgs();
    const [gone, kept] = orgs;
    writeFileSync(join(storesDir, `${gone}.db-wal`), 'stale side file');
    writeFileSync(join(storesDir, `${gone}.db.watermark`), 'side file');
    const receipt = await wipeOrg(target, receiptFor(gone, deviceId));

    expect(receipt.state).toBe('wiped');
    expect(storeFilesOf(storesDir, gone)).toEqual([]);
    expect(existsSync(keyFilePath(keysDir, gone))).toBe(false);
    expect(readdirSync(storesDir).filter((name) => name.startsWith(gone))).toEqual([]);
    // The other org still opens with its own key and holds its patient.
    const store = OrgStore.open({ path: join(storesDir, `${kept}.db`), key: await target.keystore.getOrCreateStoreKey(kept), tenantId: kept, deviceId });
    expect(store.listPatients()).toHaveLength(1);
    store.close();
    expect(readWipeReceipts(target.dataDir)).toEqual([receipt]);
  });

  it('a store opened again after the wipe is new and empty (the old data is not recoverable with the new key)', async () => {
    const { target, storesDir, deviceId, orgs } = await workstationWithTwoOrgs();
    await wipeOrg(target, receiptFor(orgs[0], deviceId));
    const store = OrgStore.open({ path: join(storesDir, `${orgs[0]}.db`), key: await target.keystore.getOrCreateStoreKey(orgs[0]), tenantId: orgs[0], deviceId });
    expect(store.listPatients()).toEqual([]);
    store.close();
  });

  it('finishes a wipe that a crash interrupted after the receipt was written', async () => {
    const { target, keysDir, storesDir, deviceId, orgs } = await workstationWithTwoOrgs();
    upsertWipeReceipt(target.dataDir, { ...receiptFor(orgs[0], deviceId), state: 'wiping' });
    expect(existsSync(keyFilePath(keysDir, orgs[0]))).toBe(true); // the crash came before anything was deleted

    const finished = await finishInterruptedWipes(target);
    expect(finished.map((r) => r.tenantId)).toEqual([orgs[0]]);
    expect(existsSync(keyFilePath(keysDir, orgs[0]))).toBe(false);
    expect(storeFilesOf(storesDir, orgs[0])).toEqual([]);
    expect(storeFilesOf(storesDir, orgs[1])).toContain(join(storesDir, `${orgs[1]}.db`));
    expect(readWipeReceipts(target.dataDir).map((r) => r.state)).toEqual(['wiped']);
    expect(await finishInterruptedWipes(target)).toEqual([]); // nothing left to finish
  });

  it('reads a damaged receipts file as empty instead of failing the start-up', async () => {
    const { target } = await workstationWithTwoOrgs();
    writeFileSync(join(target.dataDir, 'wipes.json'), '{ not json');
    expect(readWipeReceipts(target.dataDir)).toEqual([]);
    expect(await finishInterruptedWipes(target)).toEqual([]);
  });
});
