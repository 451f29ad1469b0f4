import type { Device } from '../../../shared/api/admin.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { isoTime, isoTimeOrNull } from '../../db/timestamps.ts';

/**
 * Registers the device in the org at sign-in, or notes that it was seen; false when the
 * org has revoked it (a revoked device stays revoked: only a new device id comes back in).
 * Runs inside the caller's tenant transaction.
 */
export async function admitDevice(sql: Sql, tenantId: string, deviceId: string, name: string): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO tenant_info.devices (tenant_id, id, name, enrolled_via, last_seen_at) VALUES ($1, $2, $3, 'sign_in', now())
     ON CONFLICT (tenant_id, id) DO UPDATE SET last_seen_at = now() WHERE tenant_info.devices.revoked_at IS NULL
     RETURNING 1`,
    [tenantId, deviceId, name],
  );
  return rows.length > 0;
}

interface DeviceRow {
  deviceId: string;
  name: string;
  enrolledVia: 'sign_in' | 'token';
  enrolledAt: unknown;
  revokedAt: unknown;
  lastSeenAt: unknown;
}

/** The org's workstations: listing and revocation (revoking also ends the device's sessions). */
export class DeviceRegistry {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  async list(tenantId: string): Promise<Device[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<DeviceRow>(
        `SELECT id::text AS "deviceId", name, enrolled_via AS "enrolledVia", enrolled_at AS "enrolledAt",
                revoked_at AS "revokedAt", last_seen_at AS "lastSeenAt"
         FROM tenant_info.devices WHERE tenant_id = $1 ORDER BY enrolled_at, id`,
        [tenantId],
      ),
    );
    return rows.map((row) => ({
      deviceId: row.deviceId,
      name: row.name,
      enrolledVia: row.enrolledVia,
      enrolledAt: isoTime(row.enrolledAt),
      revokedAt: isoTimeOrNull(row.revokedAt),
      lastSeenAt: isoTimeOrNull(row.lastSeenAt),
    }));
  }

  /**
   * Revokes the device and every live session on it, in one transaction. Idempotent;
   * false only when the org has no such device (another org's device included).
   */
  async revoke(tenantId: string, deviceId: string): Promise<{ found: boolean; sessionsEnded: number }> {
    return this.db.withTenant(tenantId, async (sql) => {
      const found = await sql.query('SELECT 1 FROM tenant_info.devices WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, deviceId]);
      if (found.length === 0) return { found: false, sessionsEnded: 0 };
      await sql.execute('UPDATE tenant_info.devices SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL', [tenantId, deviceId]);
      const sessionsEnded = await sql.execute(
        'UPDATE tenant_info.sessions SET revoked_at = now() WHERE tenant_id = $1 AND device_id = $2 AND revoked_at IS NULL',
        [tenantId, deviceId],
      );
      return { found: true, sessionsEnded };
    });
  }

  /** The name the org knows the device by (copied when the device's user switches org). */
  async nameOf(tenantId: string, deviceId: string): Promise<string | null> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ name: string }>('SELECT name FROM tenant_info.devices WHERE tenant_id = $1 AND id = $2', [tenantId, deviceId]),
    );
    return rows[0]?.name ?? null;
  }

  async countActive(tenantId: string): Promise<number> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.devices WHERE tenant_id = $1 AND revoked_at IS NULL', [tenantId]),
    );
    return rows[0]?.n ?? 0;
  }
}
