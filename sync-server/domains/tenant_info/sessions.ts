import type { Role } from '../../../shared/sync/auth.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { hashSessionToken, issueSessionToken } from '../../auth/session-token.ts';
import { admitDevice, type DeviceRefusal } from './devices.ts';
import { RequestEntries, type EntryReading } from './request-entries.ts';

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
  private readonly entries: RequestEntries;

  constructor(db: DomainDb) {
    this.db = db;
    this.entries = new RequestEntries(db);
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
   * namespace (checked again here, not only at sign-in). The rules are stated once, in
   * tenant_info.request_entry (migration 007), which entry() reads through too.
   */
  async find(tenantId: string, token: string): Promise<ActiveSession | null> {
    const rows = await this.db.appStatement<ActiveSession>(
      tenantId,
      `SELECT e."sessionId", e."tenantId", e."userId", e."deviceId", e.role FROM tenant_info.request_entry($1, $2) e WHERE e."sessionId" IS NOT NULL`,
      [tenantId, hashSessionToken(token)],
    );
    return rows[0] ?? null;
  }

  /**
   * Request entry's two reads, the org's row and, when a token is given, its live session as
   * find() reads it, in one round trip shared with other calls' (request-entries.ts; no
   * org row: no answer at all; no token: a NULL hash that matches no session). The caller
   * judges them in its own order.
   */
  entry(tenantId: string, token: string | null): Promise<EntryReading> {
    return this.entries.entry(tenantId, token ? hashSessionToken(token) : null);
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
