import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { bearerToken, hashSessionToken, issueSessionToken, tokenTenant } from './session-token.ts';

describe('session tokens', () => {
  it('carry their org and are stored only as a hash', () => {
    const tenantId = uuidv7();
    const { token, tokenHash } = issueSessionToken(tenantId);
    expect(token.startsWith(`cs1.${tenantId}.`)).toBe(true);
    expect(tokenTenant(token)).toBe(tenantId);
    expect(tokenHash).toBe(hashSessionToken(token));
    expect(tokenHash).not.toContain(token.split('.')[2]);
    expect(issueSessionToken(tenantId).token).not.toBe(token);
  });

  it('refuse malformed tokens and headers', () => {
    expect(tokenTenant('cs1.not-a-uuid.abc')).toBeNull();
    expect(tokenTenant(`cs2.${uuidv7()}.${'a'.repeat(43)}`)).toBeNull();
    expect(tokenTenant(`cs1.${uuidv7()}.short`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
  });
});
