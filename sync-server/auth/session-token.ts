import { createHash, randomBytes } from 'node:crypto';
import { isId } from '../../shared/ids.ts';

/**
 * Session tokens: `cs1.<tenantId>.<32 random bytes, base64url>`. The org id inside lets
 * request entry refuse a token shown to another org before any lookup; the server stores
 * only the SHA-256 of the whole token, so a leaked sessions table grants nothing.
 */
const PREFIX = 'cs1';

export function issueSessionToken(tenantId: string): { token: string; tokenHash: string } {
  const token = `${PREFIX}.${tenantId}.${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The org a well-formed token claims, or null for anything malformed. */
export function tokenTenant(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  const [, tenantId, secret] = parts as [string, string, string];
  if (!isId(tenantId) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return null;
  return tenantId;
}

/** `Authorization: Bearer <token>` -> token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(header.trim());
  return match ? match[1]! : null;
}
