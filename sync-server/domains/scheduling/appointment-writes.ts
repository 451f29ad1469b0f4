import { appointmentTimesAreOrdered, type AppointmentFields } from '../../../shared/entities/appointment.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { Sql } from '../../db/sql.ts';
import { mergeFields } from '../../sync/lww.ts';
import type { ApplyContext } from '../../sync/outcome.ts';
import { APPOINTMENT_COLUMNS, APPOINTMENT_SELECT, rowToFields, type AppointmentRow } from './appointment-columns.ts';
import { reconcileBookingConflicts } from './booking-conflicts.ts';

/**
 * The appointment writes shared by sync pushes and the desk procedures, so both go
 * through the same field-level last-writer-wins merge and the same change feed, and both
 * record (or resolve) a double-booked slot in the same transaction (booking-conflicts.ts).
 */

/** The fields whose change can make or end an overlap. */
const SLOT_FIELDS: readonly (keyof AppointmentFields)[] = ['startsAt', 'endsAt', 'status', 'practitionerName'];

export async function lockAppointment(sql: Sql, tenantId: string, id: string): Promise<AppointmentRow | null> {
  const rows = await sql.query<AppointmentRow>(
    `SELECT ${APPOINTMENT_SELECT} FROM scheduling.appointments a WHERE a.tenant_id = $1 AND a.id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return rows[0] ?? null;
}

/** Desk bookings name the practitioner and location by id; sync-created appointments leave both NULL. */
export async function insertAppointment(
  ctx: ApplyContext,
  id: string,
  f: AppointmentFields,
  fieldHlc: Record<string, Hlc>,
  refs: { practitionerId: string | null; locationId: string | null } = { practitionerId: null, locationId: null },
): Promise<void> {
  await ctx.sql.execute(
    `INSERT INTO scheduling.appointments
       (tenant_id, id, patient_id, starts_at, ends_at, status, reason, practitioner_name, location, field_hlc, practitioner_id, location_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12)`,
    [ctx.tenantId, id, f.patientId, f.startsAt, f.endsAt, f.status, f.reason, f.practitionerName, f.location, JSON.stringify(fieldHlc), refs.practitionerId, refs.locationId],
  );
  ctx.feed.touch('appointment', id);
  await reconcileBookingConflicts(ctx, id, true);
}

export type MergeResult = { ok: true; won: (keyof AppointmentFields)[]; next: AppointmentFields } | { ok: false; reason: 'times' };

/** Merges `fields` written at `hlc` into the locked row; writes and feeds only the fields that won. */
export async function mergeIntoAppointment(ctx: ApplyContext, existing: AppointmentRow, fields: Partial<AppointmentFields>, hlc: Hlc, baseHlc?: Record<string, string>): Promise<MergeResult> {
  const merged = mergeFields({ values: rowToFields(existing), fieldHlc: existing.fieldHlc }, fields, hlc, baseHlc);
  ctx.concurrent?.push(...merged.concurrent);
  const next = merged.values as AppointmentFields;
  if (!appointmentTimesAreOrdered(next)) return { ok: false, reason: 'times' };
  const won = merged.won as (keyof AppointmentFields)[];
  if (won.length === 0) return { ok: true, won, next };
  const sets = won.map((field, i) => `${APPOINTMENT_COLUMNS[field]} = $${i + 4}`);
  await ctx.sql.execute(
    `UPDATE scheduling.appointments SET ${sets.join(', ')}, field_hlc = $3::jsonb, version = version + 1, updated_at = now()
     WHERE tenant_id = $1 AND id = $2`,
    [ctx.tenantId, existing.id, JSON.stringify(merged.fieldHlc), ...won.map((field) => next[field])],
  );
  ctx.feed.touch('appointment', existing.id);
  if (won.some((field) => SLOT_FIELDS.includes(field))) await reconcileBookingConflicts(ctx, existing.id, false);
  return { ok: true, won, next };
}
