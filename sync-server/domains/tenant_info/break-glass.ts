import { AppError } from '../../../shared/errors.ts';
import type { BreakGlassEntry } from '../../../shared/sync/devices.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { isoTime } from '../../db/timestamps.ts';

/**
 * Emergency ("break-glass") unlocks a workstation made, uploaded for the org's records.
 * The reason text may name a patient: it is stored here and nowhere else (no log, no audit
 * detail). Uploads are idempotent on the entry id; the first upload of an id wins.
 */
export class BreakGlassLog {
  private readonly db: DomainDb;

  constructor(db: DomainDb) {
    this.db = db;
  }

  /**
   * Stores the entries made on `deviceId` and returns how many were new. All or nothing:
   * an entry naming someone who is not a member of the org, or ending before it starts, is
   * a VALIDATION error naming the entry, and nothing is stored.
   */
  async store(tenantId: string, deviceId: string, entries: readonly BreakGlassEntry[]): Promise<number> {
    entries.forEach((entry, index) => {
      if (Date.parse(entry.expiresAt) < Date.parse(entry.startedAt)) {
        throw new AppError('VALIDATION', `Break-glass entry ${index} (entries.${index}) ends before it starts.`);
      }
    });
    return this.db.withTenant(tenantId, async (sql) => {
      const userIds = [...new Set(entries.map((entry) => entry.userId))];
      const members = await sql.query<{ id: string }>(
        'SELECT account_id::text AS id FROM tenant_info.memberships WHERE tenant_id = $1 AND account_id = ANY ($2::uuid[])',
        [tenantId, userIds],
      );
      const known = new Set(members.map((member) => member.id));
      const stranger = entries.findIndex((entry) => !known.has(entry.userId));
      if (stranger >= 0) {
        throw new AppError('VALIDATION', `Break-glass entry ${stranger} (entries.${stranger}.userId) names someone who is not a member of this organization.`);
      }
      let stored = 0;
      for (const entry of entries) {
        stored += await sql.execute(
          `INSERT INTO tenant_info.break_glass_events (tenant_id, id, user_id, device_id, reason, started_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, id) DO NOTHING`,
          [tenantId, entry.id, entry.userId, deviceId, entry.reason, entry.startedAt, entry.expiresAt],
        );
      }
      return stored;
    });
  }

  /** The org's entries (operators and tests), oldest first; the reason text included. */
  async list(tenantId: string): Promise<(BreakGlassEntry & { deviceId: string })[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<{ id: string; userId: string; deviceId: string; reason: string; startedAt: unknown; expiresAt: unknown }>(
        `SELECT id::text AS id, user_id::text AS "userId", device_id::text AS "deviceId", reason, started_at AS "startedAt", expires_at AS "expiresAt"
         FROM tenant_info.break_glass_events WHERE tenant_id = $1 ORDER BY started_at, id`,
        [tenantId],
      ),
    );
    return rows.map((row) => ({ ...row, startedAt: isoTime(row.startedAt), expiresAt: isoTime(row.expiresAt) }));
  }
}
