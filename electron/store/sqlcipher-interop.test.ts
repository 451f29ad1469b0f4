import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { OrgStore } from './org-store.ts';
import { samplePatient } from './test-fixtures.ts';

/**
 * Proof that the store is a real SQLCipher 4 file, not merely something our own driver
 * reads back: the reference SQLCipher build (@journeyapps/sqlcipher, SQLCipher 4.x with
 * its defaults) opens it with the org's raw key and reads the rows, and cannot with no key
 * or with another org's key.
 */
interface SqlcipherDb {
  serialize(fn: () => void): void;
  run(sql: string, callback?: (error: Error | null) => void): void;
  all(sql: string, callback: (error: Error | null, rows: Record<string, unknown>[]) => void): void;
  close(callback?: (error: Error | null) => void): void;
}
interface SqlcipherModule {
  Database: new (path: string, mode: number, callback: (error: Error | null) => void) => SqlcipherDb;
  OPEN_READONLY: number;
}
const sqlcipher = createRequire(import.meta.url)('@journeyapps/sqlcipher') as SqlcipherModule;

async function readWithReference(path: string, key: Buffer | null, sql: string): Promise<Record<string, unknown>[]> {
  const db = await new Promise<SqlcipherDb>((resolve, reject) => {
    const opened: SqlcipherDb = new sqlcipher.Database(path, sqlcipher.OPEN_READONLY, (error) => (error ? reject(error) : resolve(opened)));
  });
  try {
    return await new Promise((resolve, reject) => {
      db.serialize(() => {
        if (key) db.run(`PRAGMA key = "x'${key.toString('hex')}'"`);
        db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows)));
      });
    });
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

describe('store interoperability with the reference SQLCipher library', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(() => dir?.remove());

  it('opens with the org key and reads the rows; refuses without a key or with another org key', async () => {
    dir = tempDir();
    const path = join(dir.path, 'org.db');
    const key = randomBytes(32);
    const store = OrgStore.open({ path, key, tenantId: uuidv7(), deviceId: uuidv7() });
    const marker = `Interop${randomBytes(4).toString('hex')}`;
    const { id } = store.patients.create(samplePatient({ familyName: marker }));
    store.close(); // checkpoints the WAL, so the main file holds everything

    const version = await readWithReference(path, key, 'PRAGMA cipher_version');
    expect(String(version[0]?.cipher_version)).toMatch(/^4\./);
    const rows = await readWithReference(path, key, 'SELECT id, family_name FROM patients');
    expect(rows).toEqual([{ id, family_name: marker }]);

    await expect(readWithReference(path, null, 'SELECT count(*) FROM patients')).rejects.toThrow(/not a database|encrypted/i);
    await expect(readWithReference(path, randomBytes(32), 'SELECT count(*) FROM patients')).rejects.toThrow(/not a database|encrypted/i);
  });
});
