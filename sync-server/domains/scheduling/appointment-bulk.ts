import type { AppointmentFields } from '../../../shared/entities/appointment.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { stampAll } from '../../sync/lww.ts';
import { APPOINTMENT_COLUMNS } from './appointment-columns.ts';

/** Creates many appointments for one org in one transaction (demo seed, imports); see patient-bulk.ts. */
export async function bulkCreateAppointments(db: DomainDb, tenantId: string, appointments: readonly (AppointmentFields & { id: string })[], hlc: Hlc): Promise<void> {
  if (appointments.length === 0) return;
  const fieldHlc = JSON.stringify(stampAll(Object.keys(APPOINTMENT_COLUMNS), hlc));
  await db.withTenant(tenantId, async (sql) => {
    await sql.execute(
      `INSERT INTO scheduling.appointments
         (tenant_id, id, patient_id, starts_at, ends_at, status, reason, practitioner_name, location, field_hlc)
       SELECT $1, x.id, x."patientId", x."startsAt", x."endsAt", x.status, x.reason, x."practitionerName", x.location, $3::jsonb
       FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, "patientId" uuid, "startsAt" timestamptz, "endsAt" timestamptz,
         status text, reason text, "practitionerName" text, location text)`,
      [tenantId, JSON.stringify(appointments), fieldHlc],
    );
    const feed = new FeedWriter('scheduling', tenantId);
    for (const appointment of appointments) feed.touch('appointment', appointment.id);
    await feed.flush(sql);
  });
}
