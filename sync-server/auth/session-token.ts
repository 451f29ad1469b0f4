import { hashOrgToken, issueOrgToken, orgTokenTenant } from './org-token.ts';

/** Session tokens: `cs1.<tenantId>.<secret>` (see org-token.ts); only the hash is stored. */
const PREFIX = 'cs1';

export function issueSessionToken(tenantId: string): { token: string; tokenHash: string } {
  return issueOrgToken(PREFIX, tenantId);
}

export const hashSessionToken = hashOrgToken;

/** The org a well-formed token claims, or null for anything malformed. */
export function tokenTenant(token: string): string | null {
  return orgTokenTenant(PREFIX, token);
}

/** `Authorization: Bearer <token>` -> token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(header.trim());
  return match ? match[1]! : null;
}
