import type { AppointmentFields } from '../../../shared/entities/appointment.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { stampAll } from '../../sync/lww.ts';
import { APPOINTMENT_COLUMNS } from './appointment-columns.ts';

/** An appointment to create; an import also names the practitioner and location by id (else NULL, as sync-created ones). */
export type NewAppointment = AppointmentFields & { id: string; practitionerId?: string | null; locationId?: string | null };

/** Creates many appointments for one org in one transaction (demo seed, imports); see patient-bulk.ts. */
export async function bulkCreateAppointments(db: DomainDb, tenantId: string, appointments: readonly NewAppointment[], hlc: Hlc): Promise<void> {
  if (appointments.length === 0) return;
  await db.withTenant(tenantId, async (sql) => {
    const feed = new FeedWriter('scheduling', tenantId);
    await insertNewAppointments(sql, feed, tenantId, appointments, hlc);
    await feed.flush(sql);
  });
}

/** The insert of bulkCreateAppointments inside the caller's tenant transaction; the caller flushes the feed. */
export async function insertNewAppointments(sql: Sql, feed: FeedWriter, tenantId: string, appointments: readonly NewAppointment[], hlc: Hlc): Promise<void> {
  if (appointments.length === 0) return;
  const fieldHlc = JSON.stringify(stampAll(Object.keys(APPOINTMENT_COLUMNS), hlc));
  await sql.execute(
    `INSERT INTO scheduling.appointments
       (tenant_id, id, patient_id, starts_at, ends_at, status, reason, practitioner_name, location, field_hlc, practitioner_id, location_id)
     SELECT $1, x.id, x."patientId", x."startsAt", x."endsAt", x.status, x.reason, x."practitionerName", x.location, $3::jsonb,
       x."practitionerId", x."locationId"
     FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, "patientId" uuid, "startsAt" timestamptz, "endsAt" timestamptz,
       status text, reason text, "practitionerName" text, location text, "practitionerId" uuid, "locationId" uuid)`,
    [tenantId, JSON.stringify(appointments), fieldHlc],
  );
  for (const appointment of appointments) feed.touch('appointment', appointment.id);
}
