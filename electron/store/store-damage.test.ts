import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { openStore } from './open-store.ts';
import { OrgStore } from './org-store.ts';
import { StoreOpenError } from './store-errors.ts';
import { samplePatient } from './test-fixtures.ts';

const PAGE = 4096;

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

/** A closed store holding `rows` patients (and as many outbox entries), written through OrgStore. */
function storeWith(rows: number) {
  dir = tempDir();
  const path = join(dir.path, 'stores', 'org.db');
  const key = randomBytes(32);
  const tenantId = uuidv7();
  const store = OrgStore.open({ path, key, tenantId, deviceId: uuidv7() });
  store.db.transaction(() => {
    for (let i = 0; i < rows; i++) store.patients.create(samplePatient({ familyName: `Damagetest${i}`, mrn: `MRN-${i}` }));
  })();
  // The last page that holds data: the file may end in a free page (the search index frees
  // pages as it merges), and a flipped byte there is harmless and never read.
  const lastUsedPage = (store.db.prepare('SELECT max(pageno) AS n FROM dbstat').get() as { n: number }).n;
  store.close();
  return { path, key, tenantId, lastUsedPage };
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Flips one bit in the middle of page `page` (1-based), past its IV/salt, and returns the original bytes. */
function flipByteInPage(path: string, page: number): Buffer {
  const original = readFileSync(path);
  const damaged = Buffer.from(original);
  const offset = (page - 1) * PAGE + PAGE / 2;
  damaged[offset] = (damaged[offset] ?? 0) ^ 0x10;
  writeFileSync(path, damaged);
  return original;
}

function openError(open: () => unknown): unknown {
  try {
    (open() as { close?: () => void }).close?.();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a damaged store page (SQLCipher HMAC failure)', () => {
  const lastPage = (path: string) => statSync(path).size / PAGE;

  it.each([
    ['page 2', (_lastUsed: number) => 2],
    ['the last page in use', (lastUsed: number) => lastUsed],
  ])('refuses a flipped byte in %s as STORE_MISMATCH/damaged and leaves the file bytes as they were', (_label, pageOf) => {
    const { path, key, tenantId, lastUsedPage } = storeWith(300);
    expect(statSync(path).size % PAGE).toBe(0);
    expect(lastPage(path)).toBeGreaterThan(10);
    expect(existsSync(`${path}-wal`)).toBe(false);

    const original = flipByteInPage(path, pageOf(lastUsedPage));
    const before = sha256(path);
    const error = openError(() => openStore({ path, key, tenantId }));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error).toMatchObject({ code: 'STORE_MISMATCH', reason: 'damaged' });
    expect(sha256(path)).toBe(before);
    // The failed open leaves no side files behind either.
    expect(existsSync(`${path}-wal`)).toBe(false);
    expect(existsSync(`${path}-shm`)).toBe(false);

    // The flip, and nothing else, was the problem: the original bytes open and read fine.
    writeFileSync(path, original);
    const store = openStore({ path, key, tenantId });
    expect(store.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 300 });
    store.close();
  });

  it('says the local copy is damaged and will be re-downloaded, naming no key, path, org or data', () => {
    const { path, key, tenantId, lastUsedPage } = storeWith(50);
    flipByteInPage(path, lastUsedPage);
    const error = openError(() => openStore({ path, key, tenantId })) as Error;
    expect(error.message).toMatch(/damaged/);
    expect(error.message).toMatch(/downloaded again from the server/);
    for (const secret of [key.toString('hex'), key.toString('base64'), path, dir!.path, tenantId, 'Damagetest', 'MRN-']) {
      expect(error.message).not.toContain(secret);
    }
  });

  it('costs little at open: 10k patient rows open with the full-page check in well under a second', () => {
    const { path, key, tenantId } = storeWith(10_000);
    const median = (run: () => void) => {
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const start = performance.now();
        run();
        times.push(performance.now() - start);
      }
      return times.sort((a, b) => a - b)[3] ?? Number.NaN;
    };
    // A fresh connection each time, so every page is read from the file and decrypted again.
    const rawOpen = (check: boolean) => () => {
      const db = new Database(path, { readonly: true });
      db.pragma(`cipher = 'sqlcipher'`);
      db.pragma('legacy = 4');
      db.pragma(`key = "x'${key.toString('hex')}'"`);
      db.prepare("SELECT value FROM meta WHERE key = 'tenant_id'").get();
      if (check) db.pragma('quick_check');
      db.close();
    };
    const without = median(rawOpen(false));
    const withCheck = median(rawOpen(true));
    const openStoreMs = median(() => openStore({ path, key, tenantId }).close());
    console.info(
      `10k patients (${(statSync(path).size / 1e6).toFixed(1)} MB): open ${without.toFixed(1)} ms without the page check, ` +
        `${withCheck.toFixed(1)} ms with it; openStore ${openStoreMs.toFixed(1)} ms`,
    );
    expect(openStoreMs).toBeLessThan(1000);
  });
});
