import type { Device } from '../../../shared/api/admin.ts';
import type { WipeReason } from '../../../shared/sync/devices.ts';
import { deviceCredentialMatches } from '../../auth/device-credential.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { isoTime, isoTimeOrNull } from '../../db/timestamps.ts';

/**
 * Why a device may not open a session in an org:
 *   credential_refused: enrolled by token, and the request lacks its credential (or has a wrong one)
 *   revoked:            IT revoked it (a revoked device stays revoked: only a new device id comes back in)
 *   not_enrolled:       the org requires token enrollment and this device was not enrolled so
 */
export type DeviceRefusal = 'credential_refused' | 'revoked' | 'not_enrolled';

export interface DeviceAdmission {
  tenantId: string;
  deviceId: string;
  name: string;
  /** The device credential the request carried (sign-in), or null (none, or an org switch). */
  credential: string | null;
  requireEnrolled: boolean;
}

/**
 * Lets the device into the org at sign-in (after the password checked out), in the
 * caller's tenant transaction: registers an unknown device (unless the org requires
 * enrollment), or checks a known one in this order: its credential if it was enrolled with
 * one, then revocation, then the enrollment requirement; and notes that it was seen.
 * A credential sent for a device that has none is ignored (it may be another org's).
 */
export async function admitDevice(sql: Sql, input: DeviceAdmission): Promise<DeviceRefusal | null> {
  const { tenantId, deviceId } = input;
  if (!input.requireEnrolled) {
    const registered = await sql.query(
      `INSERT INTO tenant_info.devices (tenant_id, id, name, enrolled_via, last_seen_at) VALUES ($1, $2, $3, 'sign_in', now())
       ON CONFLICT (tenant_id, id) DO NOTHING RETURNING 1`,
      [tenantId, deviceId, input.name],
    );
    if (registered.length > 0) return null;
  }
  const [device] = await sql.query<{ enrolledVia: 'sign_in' | 'token'; revoked: boolean; credentialHash: string | null }>(
    `SELECT enrolled_via AS "enrolledVia", revoked_at IS NOT NULL AS revoked, credential_hash AS "credentialHash"
     FROM tenant_info.devices WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, deviceId],
  );
  if (!device) return 'not_enrolled';
  if (device.credentialHash !== null && !deviceCredentialMatches(input.credential, device.credentialHash)) return 'credential_refused';
  if (device.revoked) return 'revoked';
  if (input.requireEnrolled && device.enrolledVia !== 'token') return 'not_enrolled';
  await sql.execute('UPDATE tenant_info.devices SET last_seen_at = now() WHERE tenant_id = $1 AND id = $2', [tenantId, deviceId]);
  return null;
}

/** A workstation as `device list` and admin.devices.list show it (the admin API's Device, wipe report included). */
export type DeviceListing = Device;

interface DeviceRow {
  deviceId: string;
  name: string;
  enrolledVia: 'sign_in' | 'token';
  enrolledAt: unknown;
  revokedAt: unknown;
  lastSeenAt: unknown;
  wipedAt: unknown;
  wipeReason: WipeReason | null;
}

/** The org's workstations: listing and revocation (revoking also ends the device's sessions). */
export class DeviceRegistry {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /** The org's workstations (the admin API's answer drops the wipe fields its schema lacks). */
  async list(tenantId: string): Promise<DeviceListing[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<DeviceRow>(
        `SELECT id::text AS "deviceId", name, enrolled_via AS "enrolledVia", enrolled_at AS "enrolledAt",
                revoked_at AS "revokedAt", last_seen_at AS "lastSeenAt", wiped_at AS "wipedAt", wipe_reason AS "wipeReason"
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
      wipedAt: isoTimeOrNull(row.wipedAt),
      wipeReason: row.wipeReason,
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
