import type { AuditRecord } from '../../audit/audit-read.ts';
import type { Sql } from '../../db/sql.ts';

/**
 * An audit row as stored, in the exact text forms the hash covers: uuids as lower-case
 * text, seq as text (bigint), occurred_at as UTC ISO text with microseconds. Reading
 * through to_char instead of a Date keeps microseconds, so even a sub-millisecond edit
 * of occurred_at changes the recomputed hash.
 */
export const RECORD_COLUMNS = `tenant_id::text AS "tenantId", seq::text AS "seqText", id::text AS id,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "occurredAt",
  actor_user_id::text AS "actorUserId", actor_session_id::text AS "actorSessionId",
  actor_device_id::text AS "actorDeviceId", actor_role AS "actorRole",
  action, kind, entity, ids, outcome, error_code AS "errorCode", detail,
  prev_hash AS "prevHash", hash`;

// Named apart from the column, so `ORDER BY seq` keeps meaning the bigint column.
type StoredRow = Omit<AuditRecord, 'seq'> & { seqText: string };

export async function queryRecords(sql: Sql, where: string, params: readonly unknown[]): Promise<AuditRecord[]> {
  const rows = await sql.query<StoredRow>(`SELECT ${RECORD_COLUMNS} FROM audit.events WHERE ${where}`, params);
  return rows.map(({ seqText, ...row }) => ({ ...row, seq: Number(seqText) }));
}
