import type { Role } from '../../../shared/sync/auth.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { hashSessionToken, issueSessionToken } from '../../auth/session-token.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ActiveSession {
  sessionId: string;
  tenantId: string;
  userId: string;
  deviceId: string;
  role: Role;
}

/** Sessions bound to one org and one device; only the token's hash is stored. */
export class SessionStore {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async open(input: { tenantId: string; userId: string; deviceId: string; deviceName: string }): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
    const { token, tokenHash } = issueSessionToken(input.tenantId);
    const sessionId = uuidv7();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.db.withTenant(input.tenantId, (sql) =>
      sql.execute(
        `INSERT INTO tenant_info.sessions (tenant_id, id, token_hash, user_id, device_id, device_name, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [input.tenantId, sessionId, tokenHash, input.userId, input.deviceId, input.deviceName, expiresAt.toISOString()],
      ),
    );
    return { token, sessionId, expiresAt };
  }

  /** The live session for this token in this org, or null (unknown, expired or revoked). */
  async find(tenantId: string, token: string): Promise<ActiveSession | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<ActiveSession>(
        `SELECT s.id::text AS "sessionId", s.tenant_id::text AS "tenantId", s.user_id::text AS "userId",
                s.device_id::text AS "deviceId", u.role
         FROM tenant_info.sessions s
         JOIN tenant_info.users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
         WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`,
        [tenantId, hashSessionToken(token)],
      ),
    );
    return rows[0] ?? null;
  }

  async revoke(tenantId: string, sessionId: string): Promise<void> {
    await this.db.withTenant(tenantId, (sql) =>
      sql.execute('UPDATE tenant_info.sessions SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, sessionId]),
    );
  }

  /** Ends a session now by its token (operations; also how tests produce an expired session). */
  async expire(tenantId: string, token: string): Promise<boolean> {
    const changed = await this.db.withTenant(tenantId, (sql) =>
      sql.execute(`UPDATE tenant_info.sessions SET expires_at = now() - interval '1 second' WHERE tenant_id = $1 AND token_hash = $2`, [
        tenantId,
        hashSessionToken(token),
      ]),
    );
    return changed > 0;
  }
}
