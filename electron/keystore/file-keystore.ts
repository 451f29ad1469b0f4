import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';
import { KeystoreError, STORE_KEY_LENGTH, type Keystore } from './keystore.ts';
import { keyFilePath, perTenantQueue, readKeyFile, removeKeyFile, writeKeyFileOnce } from './key-files.ts';

/**
 * Stand-in for the OS keystore outside Electron: each org key is wrapped with
 * AES-256-GCM under a key derived from an explicit passphrase by scrypt. The org id is
 * bound as associated data, so a key file copied to another org's name will not unwrap.
 */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

const wrappedFileSchema = z.object({
  format: z.literal('clinicsync-file-keystore'),
  version: z.literal(1),
  kdf: z.object({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.string() }),
  cipher: z.literal('aes-256-gcm'),
  iv: z.string(),
  tag: z.string(),
  wrappedKey: z.string(),
});
type WrappedFile = z.infer<typeof wrappedFileSchema>;

export interface FileKeystoreOptions {
  /** Directory of the key files, e.g. `<dataDir>/keys`. */
  dir: string;
  passphrase: string;
  /** Where the start-up notice goes (never receives the passphrase). */
  log?: (line: string) => void;
}

export function createFileKeystore({ dir, passphrase, log = (line) => console.warn(line) }: FileKeystoreOptions): Keystore {
  if (passphrase.length < 8) throw new KeystoreError('unavailable', { cause: new Error('passphrase shorter than 8 characters') });
  log('keystore: FILE keystore (passphrase-wrapped keys) standing in for the OS keystore; use Electron safeStorage on a real workstation.');
  const serialized = perTenantQueue();

  return {
    kind: 'file',
    getOrCreateStoreKey: (tenantId) =>
      serialized(tenantId, async () => {
        const path = keyFilePath(dir, tenantId);
        const existing = readKeyFile(path);
        if (existing !== undefined) return unwrap(existing, passphrase, tenantId);
        const key = randomBytes(STORE_KEY_LENGTH);
        if (writeKeyFileOnce(path, await wrap(key, passphrase, tenantId), dir)) return key;
        return unwrap(readKeyFile(path), passphrase, tenantId); // another process created it first
      }),
    deleteStoreKey: (tenantId) =>
      serialized(tenantId, async () => {
        removeKeyFile(keyFilePath(dir, tenantId));
      }),
  };
}

function deriveKey(passphrase: string, salt: Buffer, params: ScryptOptions & { N: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { ...params, maxmem: SCRYPT.maxmem }, (error, derived) => (error ? reject(error) : resolve(derived)));
  });
}

async function wrap(key: Buffer, passphrase: string, tenantId: string): Promise<WrappedFile> {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const kek = await deriveKey(passphrase, salt, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(tenantId, 'utf8'));
  const wrappedKey = Buffer.concat([cipher.update(key), cipher.final()]);
  return {
    format: 'clinicsync-file-keystore',
    version: 1,
    kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    wrappedKey: wrappedKey.toString('base64'),
  };
}

async function unwrap(content: unknown, passphrase: string, tenantId: string): Promise<Buffer> {
  const parsed = wrappedFileSchema.safeParse(content);
  if (!parsed.success) throw new KeystoreError('unwrap_failed');
  const file = parsed.data;
  // Refuse absurd KDF parameters from a tampered file rather than burning memory on them.
  if (file.kdf.N > 2 ** 20 || file.kdf.r > 32 || file.kdf.p > 16) throw new KeystoreError('unwrap_failed');
  try {
    const kek = await deriveKey(passphrase, Buffer.from(file.kdf.salt, 'base64'), { N: file.kdf.N, r: file.kdf.r, p: file.kdf.p });
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(file.iv, 'base64'));
    decipher.setAAD(Buffer.from(tenantId, 'utf8'));
    decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
    const key = Buffer.concat([decipher.update(Buffer.from(file.wrappedKey, 'base64')), decipher.final()]);
    if (key.length !== STORE_KEY_LENGTH) throw new Error('unwrapped key has the wrong length');
    return key;
  } catch {
    // GCM authentication failure: wrong passphrase or a tampered file. Deliberately no cause.
    throw new KeystoreError('unwrap_failed');
  }
}
