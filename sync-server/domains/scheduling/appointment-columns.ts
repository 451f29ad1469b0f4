import type { AppointmentFields } from '../../../shared/entities/appointment.ts';
import { entityColumns } from '../../../shared/entities/columns.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import { isoTime } from '../../db/timestamps.ts';

/** Wire field -> column of scheduling.appointments. */
export const APPOINTMENT_COLUMNS = entityColumns('appointment');

export const APPOINTMENT_SELECT = `a.id::text AS id, a.patient_id::text AS "patientId", a.starts_at AS "startsAt", a.ends_at AS "endsAt",
  a.status, a.reason, a.practitioner_name AS "practitionerName", a.location, a.field_hlc AS "fieldHlc", a.version, a.deleted`;

export interface AppointmentRow {
  id: string;
  patientId: string;
  startsAt: Date;
  endsAt: Date;
  status: AppointmentFields['status'];
  reason: string;
  practitionerName: string;
  location: string;
  fieldHlc: Record<string, Hlc>;
  version: number;
  deleted: boolean;
}

/** Both drivers return timestamptz as Date; the wire carries ISO-8601 in UTC. */
export function rowToFields(row: AppointmentRow): AppointmentFields {
  return {
    patientId: row.patientId,
    startsAt: isoTime(row.startsAt),
    endsAt: isoTime(row.endsAt),
    status: row.status,
    reason: row.reason,
    practitionerName: row.practitionerName,
    location: row.location,
  };
}
