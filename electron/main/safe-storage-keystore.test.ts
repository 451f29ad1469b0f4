import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { KeystoreError } from '../keystore/keystore.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createSafeStorageKeystore } from './safe-storage-keystore.ts';

/** A stand-in for Electron's safeStorage (its binary cannot run here): real AES, an OS-held key. */
function fakeSafeStorage(options: { available?: boolean; backend?: string } = {}) {
  const osKey = randomBytes(32);
  return {
    osKey,
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => (options.backend ?? 'gnome_libsecret') as 'gnome_libsecret',
    encryptString: (plain: string) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', osKey, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString: (data: Buffer) => {
      const decipher = createDecipheriv('aes-256-gcm', osKey, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.remove());

describe('safeStorage keystore', () => {
  it('wraps a random key with safeStorage and unwraps the same key later', async () => {
    dir = tempDir();
    const safeStorage = fakeSafeStorage();
    const tenant = uuidv7();
    const keystore = createSafeStorageKeystore({ safeStorage, dir: dir.path, platform: 'linux' });
    expect(keystore.kind).toBe('safeStorage');
    const key = await keystore.getOrCreateStoreKey(tenant);
    expect(key).toHaveLength(32);
    const again = await createSafeStorageKeystore({ safeStorage, dir: dir.path, platform: 'linux' }).getOrCreateStoreKey(tenant);
    expect(again.equals(key)).toBe(true);
    const text = readFileSync(join(dir.path, `${tenant}.json`), 'utf8');
    expect(text).not.toContain(key.toString('hex'));
    expect(text).not.toContain(key.toString('base64'));
  });

  it('treats Linux basic_text (and no encryption at all) as unavailable', async () => {
    dir = tempDir();
    const basic = createSafeStorageKeystore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), dir: dir.path, platform: 'linux' });
    await expect(basic.getOrCreateStoreKey(uuidv7())).rejects.toMatchObject({ code: 'STORE_LOCKED', reason: 'unavailable' });
    const none = createSafeStorageKeystore({ safeStorage: fakeSafeStorage({ available: false }), dir: dir.path, platform: 'darwin' });
    await expect(none.getOrCreateStoreKey(uuidv7())).rejects.toBeInstanceOf(KeystoreError);
  });

  it('gives a typed error when the OS can no longer unwrap the key (keychain reset)', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    await createSafeStorageKeystore({ safeStorage: fakeSafeStorage(), dir: dir.path, platform: 'win32' }).getOrCreateStoreKey(tenant);
    const afterReset = createSafeStorageKeystore({ safeStorage: fakeSafeStorage(), dir: dir.path, platform: 'win32' });
    await expect(afterReset.getOrCreateStoreKey(tenant)).rejects.toMatchObject({ code: 'STORE_LOCKED', reason: 'unwrap_failed' });
  });

  it('detects a change of OS backend (Linux) with its own typed error, and keeps the key file as it was', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    const libsecret = fakeSafeStorage({ backend: 'gnome_libsecret' });
    await createSafeStorageKeystore({ safeStorage: libsecret, dir: dir.path, platform: 'linux' }).getOrCreateStoreKey(tenant);
    const file = join(dir.path, `${tenant}.json`);
    const before = readFileSync(file, 'utf8');
    expect(JSON.parse(before)).toMatchObject({ version: 2, backend: 'gnome_libsecret' });
    const kwallet = { ...fakeSafeStorage({ backend: 'kwallet5' }), decryptString: libsecret.decryptString };
    const switched = createSafeStorageKeystore({ safeStorage: kwallet, dir: dir.path, platform: 'linux' });
    const error = await switched.getOrCreateStoreKey(tenant).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'STORE_LOCKED', reason: 'backend_changed' });
    expect(String((error as Error).message)).not.toMatch(/[0-9a-f]{32}/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('still reads a version 1 key file (no backend recorded)', async () => {
    dir = tempDir();
    const tenant = uuidv7();
    const safeStorage = fakeSafeStorage();
    const key = randomBytes(32);
    const wrappedKey = safeStorage.encryptString(key.toString('hex')).toString('base64');
    writeFileSync(join(dir.path, `${tenant}.json`), JSON.stringify({ format: 'clinicsync-safe-storage', version: 1, wrappedKey }));
    const read = await createSafeStorageKeystore({ safeStorage, dir: dir.path, platform: 'linux' }).getOrCreateStoreKey(tenant);
    expect(read.equals(key)).toBe(true);
  });
});
