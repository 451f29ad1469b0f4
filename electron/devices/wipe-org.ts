import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Keystore } from '../keystore/keystore.ts';
import { readWipeReceipts, upsertWipeReceipt, type WipeReceipt } from './wipe-receipts.ts';

export interface WipeTarget {
  dataDir: string;
  /** The folder of the org stores (`<dataDir>/stores`). */
  storesDir: string;
  keystore: Keystore;
}

/**
 * Removes one org from this workstation: its store key, then every file of its store
 * (`<tenantId>.db`, its -wal and -shm, and the side files beside it). The key goes first: once it is gone
 * the encrypted file is unreadable on any disk, including an SSD that keeps old blocks
 * (crypto-shredding), so a crash after that point has already done the part that matters.
 * The receipt is written before and after, so `finishInterruptedWipes` can complete a
 * wipe a crash or power loss cut short. The caller must have closed the store.
 */
export async function wipeOrg(target: WipeTarget, receipt: Omit<WipeReceipt, 'state'>): Promise<WipeReceipt> {
  upsertWipeReceipt(target.dataDir, { ...receipt, state: 'wiping' });
  await target.keystore.deleteStoreKey(receipt.tenantId);
  removeStoreFiles(target.storesDir, receipt.tenantId);
  const done: WipeReceipt = { ...receipt, state: 'wiped' };
  upsertWipeReceipt(target.dataDir, done);
  return done;
}

/** At start-up: redo every wipe that was started and not finished. Returns the receipts now 'wiped'. */
export async function finishInterruptedWipes(target: WipeTarget): Promise<WipeReceipt[]> {
  const finished: WipeReceipt[] = [];
  for (const receipt of readWipeReceipts(target.dataDir)) {
    if (receipt.state === 'wiping') finished.push(await wipeOrg(target, receipt));
  }
  return finished;
}

export function storeFilesOf(storesDir: string, tenantId: string): string[] {
  let names: string[];
  try {
    names = readdirSync(storesDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Every file named `<org id>.…` (store, -wal, -shm, watermark, sealed secrets, temp
  // files). Org ids are fixed-length UUIDs, so this prefix never matches another org's file.
  return names.filter((name) => name.startsWith(`${tenantId}.`)).map((name) => join(storesDir, name));
}

function removeStoreFiles(storesDir: string, tenantId: string): void {
  for (const path of storeFilesOf(storesDir, tenantId)) rmSync(path, { force: true });
}
