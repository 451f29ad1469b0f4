import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createFileKeystore } from './file-keystore.ts';
import { KeystoreError } from './keystore.ts';

const quiet = () => {};
let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

describe('file keystore', () => {
  it('creates a random 32-byte key once and returns the same key after a restart', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    const lines: string[] = [];
    const keystore = createFileKeystore({ dir: dir.path, passphrase: 'correct horse battery', log: (l) => lines.push(l) });
    expect(keystore.kind).toBe('file');
    expect(lines.join('\n')).toMatch(/stand.*in for the OS keystore/i);
    const [a, b] = await Promise.all([keystore.getOrCreateStoreKey(tenant), keystore.getOrCreateStoreKey(tenant)]);
    expect(a).toHaveLength(32);
    expect(b.equals(a)).toBe(true);
    const again = await createFileKeystore({ dir: dir.path, passphrase: 'correct horse battery', log: quiet }).getOrCreateStoreKey(tenant);
    expect(again.equals(a)).toBe(true);
    expect((await keystore.getOrCreateStoreKey(uuidv7())).equals(a)).toBe(false);
  });

  it('keeps no key material in the file other than the wrapped key, and never the passphrase', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    const passphrase = 'passphrase-marker-xyz';
    const key = await createFileKeystore({ dir: dir.path, passphrase, log: quiet }).getOrCreateStoreKey(tenant);
    expect(readdirSync(dir.path)).toEqual([`${tenant}.json`]);
    const text = readFileSync(join(dir.path, `${tenant}.json`), 'utf8');
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['cipher', 'format', 'iv', 'kdf', 'tag', 'version', 'wrappedKey']);
    for (const encoding of ['hex', 'base64', 'base64url'] as const) expect(text).not.toContain(key.toString(encoding));
    expect(text).not.toContain(passphrase);
    expect(Buffer.from(String(json['wrappedKey']), 'base64').equals(key)).toBe(false);
  });

  it('refuses a wrong passphrase, and a key file renamed to another org, with a typed error', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    await createFileKeystore({ dir: dir.path, passphrase: 'the right one', log: quiet }).getOrCreateStoreKey(tenant);
    const before = readFileSync(join(dir.path, `${tenant}.json`));
    const wrong = createFileKeystore({ dir: dir.path, passphrase: 'the wrong one', log: quiet }).getOrCreateStoreKey(tenant);
    await expect(wrong).rejects.toBeInstanceOf(KeystoreError);
    await expect(wrong).rejects.toMatchObject({ code: 'STORE_LOCKED', reason: 'unwrap_failed' });
    await wrong.catch((error: Error) => expect(error.message).not.toMatch(/the wrong one|the right one/));
    expect(readFileSync(join(dir.path, `${tenant}.json`)).equals(before)).toBe(true);

    const other = uuidv7();
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(dir.path, `${tenant}.json`), join(dir.path, `${other}.json`));
    await expect(createFileKeystore({ dir: dir.path, passphrase: 'the right one', log: quiet }).getOrCreateStoreKey(other)).rejects.toMatchObject({
      reason: 'unwrap_failed',
    });
  });

  it('deletes a key', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    const keystore = createFileKeystore({ dir: dir.path, passphrase: 'delete me please', log: quiet });
    const first = await keystore.getOrCreateStoreKey(tenant);
    await keystore.deleteStoreKey(tenant);
    expect(readdirSync(dir.path)).toEqual([]);
    expect((await keystore.getOrCreateStoreKey(tenant)).equals(first)).toBe(false);
  });
});
