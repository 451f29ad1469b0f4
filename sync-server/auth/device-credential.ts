import { issueOrgToken, orgTokenTenant, tokenMatchesHash } from './org-token.ts';

/**
 * A workstation's proof of enrollment: `cd1.<tenantId>.<secret>` (see org-token.ts),
 * handed out once by devices.enroll; the server keeps only its SHA-256 on the device row.
 * An enrolled device presents it at every sign-in, next to the user's password.
 */
const PREFIX = 'cd1';

export function issueDeviceCredential(tenantId: string): { credential: string; credentialHash: string } {
  const { token, tokenHash } = issueOrgToken(PREFIX, tenantId);
  return { credential: token, credentialHash: tokenHash };
}

/** The org a well-formed credential names, or null for anything else. */
export function deviceCredentialTenant(credential: string): string | null {
  return orgTokenTenant(PREFIX, credential);
}

/** Constant-time check of a presented credential against the stored hash; false for no credential. */
export function deviceCredentialMatches(presented: string | null | undefined, storedHash: string): boolean {
  return typeof presented === 'string' && tokenMatchesHash(presented, storedHash);
}
