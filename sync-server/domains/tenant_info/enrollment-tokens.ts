import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { issueDeviceCredential } from '../../auth/device-credential.ts';
import { hashOrgToken, issueOrgToken, orgTokenTenant } from '../../auth/org-token.ts';

const PREFIX = 'ce1';

export type EnrollmentRefusal = 'invalid' | 'device_taken';

/** The org a well-formed enrollment token names, or null for anything else. */
export function enrollmentTokenTenant(token: string): string | null {
  return orgTokenTenant(PREFIX, token);
}

/**
 * One-time, expiring device-enrollment tokens bound to one org (`ce1.<tenantId>.<secret>`;
 * only the SHA-256 is stored). devices.enroll (sync-server/auth/enroll-device.ts) redeems
 * them over the network; this is the part that decides whether a token is good.
 */
export class EnrollmentTokens {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async issue(input: { tenantId: string; ttlMinutes: number; createdBy: string | null }): Promise<{ tokenId: string; token: string; expiresAt: Date }> {
    const { token, tokenHash } = issueOrgToken(PREFIX, input.tenantId);
    const tokenId = uuidv7();
    const expiresAt = new Date(Date.now() + input.ttlMinutes * 60_000);
    await this.db.withTenant(input.tenantId, (sql) =>
      sql.execute(
        `INSERT INTO tenant_info.enrollment_tokens (tenant_id, id, token_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)`,
        [input.tenantId, tokenId, tokenHash, input.createdBy, expiresAt.toISOString()],
      ),
    );
    return { tokenId, token, expiresAt };
  }

  /**
   * Consumes the token and enrolls the device in the org it was issued for, in one
   * transaction. 'invalid' for a token that is malformed, of another org, unknown, used or
   * expired (one answer, so nothing can be told apart); 'device_taken' when the org
   * already knows this device id (a workstation enrolls with a fresh id). A refused
   * redemption leaves the token unused. The device gets a new credential
   * (`cd1.<tenantId>.<secret>`, only its hash is stored in the same transaction), returned
   * here once: the workstation presents it at every sign-in from then on.
   */
  async redeem(input: {
    tenantId: string;
    token: string;
    deviceId: string;
    name: string;
  }): Promise<{ ok: true; tokenId: string; deviceCredential: string } | { ok: false; reason: EnrollmentRefusal }> {
    if (orgTokenTenant(PREFIX, input.token) !== input.tenantId) return { ok: false, reason: 'invalid' };
    const { credential, credentialHash } = issueDeviceCredential(input.tenantId);
    return this.db.withTenant(input.tenantId, async (sql) => {
      const [token] = await sql.query<{ id: string }>(
        `SELECT id::text AS id FROM tenant_info.enrollment_tokens
         WHERE tenant_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > now() FOR UPDATE`,
        [input.tenantId, hashOrgToken(input.token)],
      );
      if (!token) return { ok: false, reason: 'invalid' } as const;
      const inserted = await sql.query(
        `INSERT INTO tenant_info.devices (tenant_id, id, name, enrolled_via, credential_hash) VALUES ($1, $2, $3, 'token', $4)
         ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`,
        [input.tenantId, input.deviceId, input.name, credentialHash],
      );
      if (inserted.length === 0) return { ok: false, reason: 'device_taken' } as const;
      await sql.execute('UPDATE tenant_info.enrollment_tokens SET used_at = now(), used_by_device = $3 WHERE tenant_id = $1 AND id = $2', [
        input.tenantId,
        token.id,
        input.deviceId,
      ]);
      return { ok: true, tokenId: token.id, deviceCredential: credential } as const;
    });
  }

  /** Operators and tests: ends a token's validity now. */
  async expire(tenantId: string, token: string): Promise<boolean> {
    const changed = await this.db.withTenant(tenantId, (sql) =>
      sql.execute(`UPDATE tenant_info.enrollment_tokens SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND token_hash = $2`, [
        tenantId,
        hashOrgToken(token),
      ]),
    );
    return changed > 0;
  }
}
