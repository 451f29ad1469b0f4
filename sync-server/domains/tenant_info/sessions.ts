import type { Role } from '../../../shared/sync/auth.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { hashSessionToken, issueSessionToken } from '../../auth/session-token.ts';
import { admitDevice, type DeviceRefusal } from './devices.ts';
import { readTenant, type Tenant } from './tenants.ts';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ActiveSession {
  sessionId: string;
  tenantId: string;
  /** The account id of the session's membership in this org. */
  userId: string;
  deviceId: string;
  role: Role;
}

/**
 * Sessions bound to one org, one membership and one registered device of that org; only
 * the token's hash is stored. The role is read from the membership on every request, so
 * a role change or a removed membership takes effect at once.
 */
export class SessionStore {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /**
   * A new session, after the device was let in (devices.ts admitDevice, same transaction);
   * otherwise why the device was refused. `deviceCredential` is what the request carried;
   * `requireEnrolled` is the org's rule.
   */
  async open(input: {
    tenantId: string;
    userId: string;
    deviceId: string;
    deviceName: string;
    deviceCredential?: string | null;
    requireEnrolled: boolean;
  }): Promise<{ ok: true; token: string; sessionId: string; expiresAt: Date } | { ok: false; refusal: DeviceRefusal }> {
    const { token, tokenHash } = issueSessionToken(input.tenantId);
    const sessionId = uuidv7();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    const refusal = await this.db.withTenant(input.tenantId, async (sql) => {
      const refused = await admitDevice(sql, {
        tenantId: input.tenantId,
        deviceId: input.deviceId,
        name: input.deviceName,
        credential: input.deviceCredential ?? null,
        requireEnrolled: input.requireEnrolled,
      });
      if (refused) return refused;
      await sql.execute(
        `INSERT INTO tenant_info.sessions (tenant_id, id, token_hash, user_id, device_id, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [input.tenantId, sessionId, tokenHash, input.userId, input.deviceId, expiresAt.toISOString()],
      );
      return null;
    });
    return refusal ? { ok: false, refusal } : { ok: true, token, sessionId, expiresAt };
  }

  /**
   * The live session for this token in this org, or null: unknown, expired or revoked
   * session; revoked device; disabled account; or an account outside the org's sign-in
   * namespace (checked again here, not only at sign-in).
   */
  find(tenantId: string, token: string): Promise<ActiveSession | null> {
    return this.db.withTenant(tenantId, (sql) => readSession(sql, tenantId, token));
  }

  /**
   * Request entry's two reads in ONE transaction (one round trip less of BEGIN and COMMIT
   * each on every call, docs/scale.md "Throughput"): the org's row, and, when a token is
   * given, its live session as find() reads it. The caller judges them in its own order.
   */
  entry(tenantId: string, token: string | null): Promise<{ tenant: Tenant | null; session: ActiveSession | null }> {
    return this.db.withTenant(tenantId, async (sql) => {
      const tenant = await readTenant(sql, tenantId);
      return { tenant, session: tenant && token ? await readSession(sql, tenantId, token) : null };
    });
  }

  /**
   * The device a token was issued to, when the org has revoked that device since: any
   * session of it (revoked or expired too), since revoking a device ends its sessions.
   * Request entry then answers DEVICE_REVOKED: the token proves the caller is that device.
   */
  async revokedDeviceOf(tenantId: string, token: string): Promise<string | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ deviceId: string }>(
        `SELECT s.device_id::text AS "deviceId" FROM tenant_info.sessions s
         JOIN tenant_info.devices d ON d.tenant_id = s.tenant_id AND d.id = s.device_id
         WHERE s.tenant_id = $1 AND s.token_hash = $2 AND d.revoked_at IS NOT NULL`,
        [tenantId, hashSessionToken(token)],
      ),
    );
    return rows[0]?.deviceId ?? null;
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

  async countActive(tenantId: string): Promise<number> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tenant_info.sessions WHERE tenant_id = $1 AND revoked_at IS NULL AND expires_at > now()',
        [tenantId],
      ),
    );
    return rows[0]?.n ?? 0;
  }
}

/** find()'s query, inside a transaction already in the org's tenant context. */
async function readSession(sql: Sql, tenantId: string, token: string): Promise<ActiveSession | null> {
  const rows = await sql.query<ActiveSession>(
    `SELECT s.id::text AS "sessionId", s.tenant_id::text AS "tenantId", s.user_id::text AS "userId",
            s.device_id::text AS "deviceId", m.role
     FROM tenant_info.sessions s
     JOIN tenant_info.memberships m ON m.tenant_id = s.tenant_id AND m.account_id = s.user_id
     JOIN tenant_info.accounts a ON a.id = m.account_id AND a.login = m.login
     JOIN tenant_info.tenants t ON t.id = s.tenant_id
     JOIN tenant_info.devices d ON d.tenant_id = s.tenant_id AND d.id = s.device_id
     WHERE s.tenant_id = $1 AND s.token_hash = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
       AND d.revoked_at IS NULL AND NOT a.disabled
       AND a.namespace = CASE WHEN t.isolation_tier = 'shared' THEN 'shared' ELSE t.id::text END`,
    [tenantId, hashSessionToken(token)],
  );
  return rows[0] ?? null;
}
