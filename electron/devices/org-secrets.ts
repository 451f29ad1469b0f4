import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isId } from '../../shared/ids.ts';
import { readFileIfPresent, writeFileAtomically } from '../files/atomic-file.ts';

/**
 * What this device holds for one org besides the store: the device credential from
 * enrollment and the last session token (the proof a wipe report carries once the server
 * has revoked the device). Sealed with AES-256-GCM under a key derived (HKDF) from the
 * org's store key, with the org id as associated data, in `<storesDir>/<tenantId>.secrets`
 * beside the store, so a wipe removes it with the store's files and the key shreds it.
 * Kept outside the store so sign-in can read the credential without opening the store.
 */
export interface OrgSecrets {
  deviceCredential?: string;
  lastSessionToken?: string;
}

const secretsSchema = z.object({ deviceCredential: z.string().optional(), lastSessionToken: z.string().optional() });
const sealedSchema = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });

export function orgSecretsPath(storesDir: string, tenantId: string): string {
  if (!isId(tenantId)) throw new Error('not an organization id');
  return join(storesDir, `${tenantId}.secrets`);
}

function sealingKey(storeKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), 'clinicsync org secrets v1', 32));
}

/** Undefined when there is no file, or it does not open with this org's key (then it is ignored, not trusted). */
export function readOrgSecrets(storesDir: string, tenantId: string, storeKey: Buffer): OrgSecrets | undefined {
  const text = readFileIfPresent(orgSecretsPath(storesDir, tenantId));
  if (text === undefined) return undefined;
  try {
    const sealed = sealedSchema.parse(JSON.parse(text));
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(storeKey), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(Buffer.from(tenantId, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
    return secretsSchema.parse(JSON.parse(plain.toString('utf8')));
  } catch {
    return undefined;
  }
}

export function writeOrgSecrets(storesDir: string, tenantId: string, storeKey: Buffer, secrets: OrgSecrets): void {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(storeKey), iv);
  cipher.setAAD(Buffer.from(tenantId, 'utf8'));
  const data = Buffer.concat([cipher.update(JSON.stringify(secrets), 'utf8'), cipher.final()]);
  const sealed = { v: 1, iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
  writeFileAtomically(orgSecretsPath(storesDir, tenantId), `${JSON.stringify(sealed)}\n`);
}

export function updateOrgSecrets(storesDir: string, tenantId: string, storeKey: Buffer, change: OrgSecrets): void {
  writeOrgSecrets(storesDir, tenantId, storeKey, { ...readOrgSecrets(storesDir, tenantId, storeKey), ...change });
}

export function removeOrgSecrets(storesDir: string, tenantId: string): void {
  rmSync(orgSecretsPath(storesDir, tenantId), { force: true });
}
