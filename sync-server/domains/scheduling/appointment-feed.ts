import type { Change } from '../../../shared/sync/pull.ts';
import type { Sql } from '../../db/sql.ts';
import { APPOINTMENT_SELECT, rowToFields, type AppointmentRow } from './appointment-columns.ts';

/** The org's appointment feed; a tombstoned appointment reads as a delete. */
export async function readAppointmentChanges(sql: Sql, tenantId: string, cursor: string, limit: number): Promise<Change[]> {
  const rows = await sql.query<AppointmentRow & { seq: string }>(
    `SELECT c.seq::text AS seq, ${APPOINTMENT_SELECT}
     FROM scheduling.changes c
     JOIN scheduling.appointments a ON a.tenant_id = c.tenant_id AND a.id = c.entity_id
     WHERE c.tenant_id = $1 AND c.entity = 'appointment' AND c.seq > $2::bigint
     ORDER BY c.seq LIMIT $3`,
    [tenantId, cursor, limit],
  );
  return rows.map((row): Change =>
    row.deleted
      ? { seq: row.seq, entity: 'appointment', id: row.id, op: 'delete', fields: null, fieldHlc: {}, version: row.version }
      : { seq: row.seq, entity: 'appointment', id: row.id, op: 'upsert', fields: rowToFields(row), fieldHlc: row.fieldHlc, version: row.version },
  );
}
