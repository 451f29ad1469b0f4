import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KEY_BYTES } from './aead.ts';

/**
 * The local master keyring: named 256-bit keys, one of them active. Text form (a file, or
 * the CLINICSYNC_VAULT_MASTER_KEY variable), entries separated by new lines or ";":
 *
 *   active=k2
 *   k2=<base64 of 32 random bytes>
 *   k1=<base64 of 32 random bytes>      # kept until `vault rotate-master` has rewrapped to k2
 *
 * With a single key, `active=` may be left out. Errors name the source and the rule, never
 * a key's bytes.
 */
export interface MasterKeyring {
  activeKeyId: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** Where the keyring comes from; the demo's generated file is the only one ever written. */
export type MasterKeySource =
  | { kind: 'file'; path: string }
  | { kind: 'env'; variable: string; text: string }
  | { kind: 'generated'; path: string };

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function parseKeyring(text: string, source: string): MasterKeyring {
  const keys = new Map<string, Buffer>();
  let active: string | undefined;
  const entries = text.split(/[\n;]/).map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '');
  for (const [index, entry] of entries.entries()) {
    const eq = entry.indexOf('=');
    const name = eq < 0 ? '' : entry.slice(0, eq).trim();
    const value = eq < 0 ? '' : entry.slice(eq + 1).trim();
    if (name === 'active') {
      if (active !== undefined) throw new MasterKeyError(`${source}: "active=" is given twice.`);
      active = value;
      continue;
    }
    if (!KEY_ID.test(name)) throw new MasterKeyError(`${source}: entry ${index + 1} must be KEYID=BASE64 (key ids: letters, digits, . _ -, at most 64).`);
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(value) ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (bytes.length !== KEY_BYTES) throw new MasterKeyError(`${source}: key "${name}" must be exactly 32 bytes, base64-encoded.`);
    if (keys.has(name)) throw new MasterKeyError(`${source}: key "${name}" is given twice.`);
    keys.set(name, bytes);
  }
  if (keys.size === 0) throw new MasterKeyError(`${source}: holds no master key (expected KEYID=BASE64).`);
  if (active === undefined) {
    if (keys.size > 1) throw new MasterKeyError(`${source}: holds several keys; say which wraps new data keys with "active=KEYID".`);
    active = [...keys.keys()][0]!;
  }
  if (!keys.has(active)) throw new MasterKeyError(`${source}: the active key "${active}" is not in the keyring.`);
  return { activeKeyId: active, keys };
}

/** A new keyring entry (`KEYID=BASE64`) of 32 random bytes. */
export function newKeyEntry(keyId: string): string {
  if (!KEY_ID.test(keyId)) throw new MasterKeyError('A master key id is letters, digits, . _ - (at most 64).');
  return `${keyId}=${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * Reads the keyring. A file must be readable by its owner only: a master key that the
 * group or others can read is refused. The demo's generated file is created (mode 0600)
 * on first use.
 */
export function loadKeyring(source: MasterKeySource): MasterKeyring {
  if (source.kind === 'env') return parseKeyring(source.text, source.variable);
  if (source.kind === 'generated') ensureGenerated(source.path);
  let mode: number;
  try {
    mode = statSync(source.path).mode;
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new MasterKeyError(`The vault master key file ${source.path} ${missing ? 'does not exist' : 'cannot be read'}.`);
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new MasterKeyError(`The vault master key file ${source.path} must be readable by its owner only (chmod 600).`);
  }
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch {
    throw new MasterKeyError(`The vault master key file ${source.path} cannot be read.`);
  }
  return parseKeyring(text, source.path);
}

function ensureGenerated(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = `# Clinicsync demo vault master key, generated on first start. Production: CLINICSYNC_VAULT_MASTER_KEY_FILE.\n${newKeyEntry('demo-1')}\n`;
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw new MasterKeyError(`The demo vault master key file ${path} cannot be created.`);
    return;
  }
  chmodSync(path, 0o600); // the umask may have narrowed it further, never widened; make it exact
}
