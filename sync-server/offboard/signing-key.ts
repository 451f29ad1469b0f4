import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The deployment's certificate signing key: Ed25519, PKCS#8 PEM. Deletion certificates are
 * signed with it; anyone holding the public key can check one. The deployment key
 * (sync-server/operator/deployment-key.ts) is a name, not a secret, so it is written into
 * the certificate rather than signed with: this key is the secret.
 *
 * From CLINICSYNC_CERTIFICATE_KEY_FILE (a file only the operator can read), or on PGlite
 * without it, `<data-dir>/certificate-signing.key`, generated on first use (as the demo's
 * vault keyring is).
 */
export const SIGNING_KEY_FILE_VAR = 'CLINICSYNC_CERTIFICATE_KEY_FILE';

export interface SigningKey {
  privateKey: KeyObject;
  /** SPKI PEM of the public key, written into every certificate. */
  publicKeyPem: string;
  /** SHA-256 of the public key's DER, hex: names the key. */
  keyId: string;
}

export class SigningKeyError extends Error {
  override name = 'SigningKeyError';
}

export const defaultSigningKeyPath = (dataDir: string) => join(dataDir, 'certificate-signing.key');

export function loadSigningKey(env: Record<string, string | undefined>, dataDir: string | null): SigningKey {
  const file = env[SIGNING_KEY_FILE_VAR];
  if (file) return readKey(file);
  if (dataDir === null) throw new SigningKeyError(`No certificate signing key: set ${SIGNING_KEY_FILE_VAR} to an Ed25519 private key (PKCS#8 PEM).`);
  const path = defaultSigningKeyPath(dataDir);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  return readKey(path);
}

function readKey(path: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path, 'utf8'));
  } catch {
    throw new SigningKeyError(`The certificate signing key in ${path} could not be read as a PEM private key.`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`The certificate signing key in ${path} must be an Ed25519 key.`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex'),
  };
}
