import { randomBytes } from 'node:crypto';
import type { SafeStorage } from 'electron';
import { z } from 'zod';
import { KeystoreError, STORE_KEY_LENGTH, type Keystore } from '../keystore/keystore.ts';
import { keyFilePath, perTenantQueue, readKeyFile, removeKeyFile, writeKeyFileOnce } from '../keystore/key-files.ts';

// Lives under electron/main/ because it names Electron's type (DESIGN §5 boundary test).
type SafeStorageLike = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> &
  Partial<Pick<SafeStorage, 'getSelectedStorageBackend'>>;

/**
 * Version 2 records which OS backend wrapped the key (Linux: gnome_libsecret, kwallet5, …;
 * elsewhere the platform's only one). Version 1 files (no backend) are still read.
 */
const wrappedFileSchema = z.union([
  z.object({ format: z.literal('clinicsync-safe-storage'), version: z.literal(1), wrappedKey: z.string() }),
  z.object({ format: z.literal('clinicsync-safe-storage'), version: z.literal(2), wrappedKey: z.string(), backend: z.string().max(40) }),
]);

/**
 * Org keys wrapped by the OS keystore through Electron's safeStorage (Keychain, DPAPI,
 * libsecret/kwallet). Linux's `basic_text` backend "encrypts" with a hard-coded password,
 * so it counts as unavailable: better a clear locked store than a false sense of safety.
 */
export function createSafeStorageKeystore(options: { safeStorage: SafeStorageLike; dir: string; platform?: NodeJS.Platform }): Keystore {
  const { safeStorage, dir } = options;
  const platform = options.platform ?? process.platform;
  const serialized = perTenantQueue();

  const assertAvailable = () => {
    if (!safeStorage.isEncryptionAvailable()) throw new KeystoreError('unavailable');
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') throw new KeystoreError('unavailable');
  };

  // Only Linux chooses among several backends; a switch (say kwallet to libsecret, after a
  // desktop change) would make every unwrap fail obscurely, so it gets its own answer.
  const currentBackend = () => (platform === 'linux' ? (safeStorage.getSelectedStorageBackend?.() ?? 'unknown') : platform);

  const unwrap = (content: unknown): Buffer => {
    const parsed = wrappedFileSchema.safeParse(content);
    if (!parsed.success) throw new KeystoreError('unwrap_failed');
    if (parsed.data.version === 2 && parsed.data.backend !== currentBackend()) throw new KeystoreError('backend_changed');
    let hex: string;
    try {
      hex = safeStorage.decryptString(Buffer.from(parsed.data.wrappedKey, 'base64'));
    } catch {
      throw new KeystoreError('unwrap_failed'); // e.g. the OS keychain entry was reset
    }
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new KeystoreError('unwrap_failed');
    return Buffer.from(hex, 'hex');
  };

  return {
    kind: 'safeStorage',
    getOrCreateStoreKey: (tenantId) =>
      serialized(tenantId, async () => {
        assertAvailable();
        const path = keyFilePath(dir, tenantId);
        const existing = readKeyFile(path);
        if (existing !== undefined) return unwrap(existing);
        const key = randomBytes(STORE_KEY_LENGTH);
        const wrappedKey = safeStorage.encryptString(key.toString('hex')).toString('base64');
        if (writeKeyFileOnce(path, { format: 'clinicsync-safe-storage', version: 2, wrappedKey, backend: currentBackend() }, dir)) return key;
        return unwrap(readKeyFile(path));
      }),
    deleteStoreKey: (tenantId) =>
      serialized(tenantId, async () => {
        removeKeyFile(keyFilePath(dir, tenantId));
      }),
  };
}
