import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { openStore } from './open-store.ts';
import { StoreOpenError } from './store-errors.ts';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

function createStore() {
  dir = tempDir();
  const path = join(dir.path, 'stores', 'org.db');
  const key = randomBytes(32);
  const tenantId = uuidv7();
  const db = openStore({ path, key, tenantId });
  db.exec("INSERT INTO meta (key, value) VALUES ('probe', 'x')");
  db.close();
  return { path, key, tenantId };
}

/** Every byte of the store and its WAL/SHM side files (absent ones as null). */
function snapshot(path: string) {
  return ['', '-wal', '-shm'].map((suffix) => (existsSync(path + suffix) ? readFileSync(path + suffix) : null));
}

function expectUnchanged(path: string, before: ReturnType<typeof snapshot>) {
  const after = snapshot(path);
  after.forEach((bytes, i) => {
    const previous = before[i];
    if (previous === null || previous === undefined) expect(bytes).toBeNull();
    else expect(bytes?.equals(previous)).toBe(true);
  });
}

describe('openStore', () => {
  it('creates an encrypted SQLCipher v4 file with a raw key and reopens it with that key', () => {
    const { path, key, tenantId } = createStore();
    expect(readFileSync(path).subarray(0, 16).toString('latin1')).not.toContain('SQLite format 3');
    const db = openStore({ path, key, tenantId });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    expect(db.prepare("SELECT value FROM meta WHERE key = 'probe'").get()).toEqual({ value: 'x' });
    db.close();
  });

  it('is readable by plain SQLCipher v4 settings with the raw key (and nothing else)', () => {
    const { path, key } = createStore();
    const raw = new Database(path, { readonly: true });
    raw.pragma(`cipher = 'sqlcipher'`);
    raw.pragma('legacy = 4');
    raw.pragma(`key = "x'${key.toString('hex')}'"`);
    expect(raw.prepare("SELECT value FROM meta WHERE key = 'probe'").get()).toEqual({ value: 'x' });
    raw.close();
    const plain = new Database(path, { readonly: true });
    expect(() => plain.prepare('SELECT * FROM meta').all()).toThrow();
    plain.close();
  });

  it('refuses a wrong key (e.g. another org’s) with STORE_MISMATCH/wrong_key and leaves the file untouched', () => {
    const { path, tenantId } = createStore();
    const before = snapshot(path);
    let caught: unknown;
    try {
      openStore({ path, key: randomBytes(32), tenantId });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StoreOpenError);
    expect(caught).toMatchObject({ code: 'STORE_MISMATCH', reason: 'wrong_key' });
    expectUnchanged(path, before);
  });

  it('refuses a file that is not a database and leaves it untouched', () => {
    dir = tempDir();
    const path = join(dir.path, 'notes.db');
    writeFileSync(path, 'this is a plain text file, not a store\n'.repeat(50));
    const before = snapshot(path);
    expect(() => openStore({ path, key: randomBytes(32), tenantId: uuidv7() })).toThrow(
      expect.objectContaining({ code: 'STORE_MISMATCH', reason: 'not_a_database' }),
    );
    expectUnchanged(path, before);
  });

  it('refuses the store of another org even with the right key, and leaves it untouched', () => {
    const { path, key } = createStore();
    const before = snapshot(path);
    expect(() => openStore({ path, key, tenantId: uuidv7() })).toThrow(expect.objectContaining({ code: 'STORE_MISMATCH', reason: 'other_org' }));
    expectUnchanged(path, before);
  });

  it('never puts the key in the error', () => {
    const { path, tenantId } = createStore();
    const key = randomBytes(32);
    try {
      openStore({ path, key, tenantId });
    } catch (error) {
      expect(String((error as Error).message) + String((error as Error).stack)).not.toContain(key.toString('hex'));
    }
  });
});
