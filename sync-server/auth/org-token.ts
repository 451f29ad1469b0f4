import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isId } from '../../shared/ids.ts';

/**
 * Bearer secrets bound to one org: `<prefix>.<tenantId>.<32 random bytes, base64url>`.
 * The org id inside lets the server refuse a secret shown to another org before any
 * lookup, and look it up in that org's context only; the server stores just the SHA-256
 * of the whole string, so a leaked table grants nothing.
 */
export type OrgTokenPrefix = 'cs1' | 'ce1' | 'cd1';

export function issueOrgToken(prefix: OrgTokenPrefix, tenantId: string): { token: string; tokenHash: string } {
  const token = `${prefix}.${tenantId}.${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashOrgToken(token) };
}

export function hashOrgToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Whether `token` hashes to `storedHash`, compared in constant time (for secrets whose
 * stored hash is fetched by another key, such as a device's credential by its device id).
 */
export function tokenMatchesHash(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashOrgToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/** The org a well-formed token of this kind claims, or null for anything malformed. */
export function orgTokenTenant(prefix: OrgTokenPrefix, token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== prefix) return null;
  const [, tenantId, secret] = parts as [string, string, string];
  if (!isId(tenantId) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  return tenantId;
}
