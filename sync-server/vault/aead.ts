import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a random 96-bit nonce, laid out as nonce | tag | ciphertext. Used for
 * both layers of the vault: a secret sealed under its org's data key, and a data key
 * wrapped under a master key. The additional authenticated data binds the ciphertext to
 * where it belongs (org, row, key version), so a copy moved anywhere else fails to open.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new Error('AES-256-GCM needs a 32-byte key');
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]);
}

/** The plaintext, or a thrown SealBroken when the key, the AAD or any byte differs. */
export function open(key: Buffer, sealed: Uint8Array, aad: Buffer): Buffer {
  const bytes = Buffer.from(sealed);
  if (key.length !== KEY_BYTES || bytes.length < NONCE_BYTES + TAG_BYTES) throw new SealBroken();
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new SealBroken();
  }
}

/** Authentication failed: wrong key, wrong context, or altered bytes (deliberately not saying which). */
export class SealBroken extends Error {
  override name = 'SealBroken';
  constructor() {
    super('sealed data did not authenticate');
  }
}
