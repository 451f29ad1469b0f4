import { appointmentFieldsSchema, appointmentTimesAreOrdered } from '../../../shared/entities/appointment.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { stampAll } from '../../sync/lww.ts';
import { APPLIED, rejected, type Applier, type ApplyContext, type Outcome, type SyncDomainService } from '../../sync/outcome.ts';
import { APPOINTMENT_COLUMNS } from './appointment-columns.ts';
import { readAppointmentChanges } from './appointment-feed.ts';
import { holdBookingLock, readBookingConflictChanges, reconcileBookingConflicts } from './booking-conflicts.ts';
import { readLocationChanges } from './locations.ts';
import { readScheduleChanges } from './practitioner-schedules.ts';
import { mergedFeed } from '../../sync/feed-reader.ts';
import { insertAppointment, lockAppointment, mergeIntoAppointment } from './appointment-writes.ts';

const NOT_FOUND_REASON = 'No such appointment in this organization.';
const PATIENT_NOT_FOUND_REASON = "The appointment's patient was not found in this organization.";
const TIMES_REASON = 'The appointment must end after it starts.';

/** Asked before the scheduling transaction: which patients are linked to the org. */
export type LinkedPatients = (tenantId: string, patientIds: readonly string[]) => Promise<Set<string>>;

/** scheduling: appointments, inside one org only (pushed), and the set-up and booking conflicts the feed also carries (pulled only). */
export class AppointmentService implements SyncDomainService {
  readonly domain = 'scheduling' as const;
  readonly db: DomainDb;
  private readonly linkedPatients: LinkedPatients;

  constructor(db: DomainDb, linkedPatients: LinkedPatients) {
    this.db = db;
    this.linkedPatients = linkedPatients;
  }

  readChanges = mergedFeed({
    appointment: readAppointmentChanges,
    location: readLocationChanges,
    practitioner_schedule: readScheduleChanges,
    booking_conflict: readBookingConflictChanges,
  });

  /** Patient references are checked through the master_data service, never by a cross-database query. */
  async prepare(tenantId: string, mutations: readonly Mutation[]): Promise<Applier> {
    const referenced = new Set<string>();
    for (const m of mutations) {
      const patientId = m.op === 'upsert' ? m.fields.patientId : undefined;
      if (typeof patientId === 'string') referenced.add(patientId);
    }
    const linked = await this.linkedPatients(tenantId, [...referenced]);
    return async (ctx, mutation) => {
      await holdBookingLock(ctx); // the first lock of the transaction (see lockBookings)
      return mutation.op === 'delete' ? this.tombstone(ctx, mutation) : this.upsert(ctx, mutation, linked);
    };
  }

  private async upsert(ctx: ApplyContext, mutation: Mutation, linked: Set<string>): Promise<Outcome> {
    const existing = await lockAppointment(ctx.sql, ctx.tenantId, mutation.id);
    if (existing?.deleted) return rejected('NOT_FOUND', NOT_FOUND_REASON);
    const parsed = appointmentFieldsSchema.partial().safeParse(mutation.fields);
    if (!parsed.success) return rejected('VALIDATION', 'Some appointment fields are not valid.');
    if (parsed.data.patientId !== undefined && !linked.has(parsed.data.patientId)) return rejected('NOT_FOUND', PATIENT_NOT_FOUND_REASON);

    if (!existing) {
      const full = appointmentFieldsSchema.safeParse(mutation.fields);
      if (!full.success) {
        return Object.keys(mutation.fields).length < Object.keys(appointmentFieldsSchema.shape).length
          ? rejected('NOT_FOUND', NOT_FOUND_REASON)
          : rejected('VALIDATION', 'A new appointment needs every field.');
      }
      if (!appointmentTimesAreOrdered(full.data)) return rejected('VALIDATION', TIMES_REASON);
      await insertAppointment(ctx, mutation.id, full.data, stampAll(Object.keys(APPOINTMENT_COLUMNS), mutation.hlc));
      return APPLIED;
    }

    const merged = await mergeIntoAppointment(ctx, existing, parsed.data, mutation.hlc, mutation.baseHlc);
    return merged.ok ? APPLIED : rejected('VALIDATION', TIMES_REASON);
  }

  /** Deleting an appointment leaves a tombstone, so every device learns of the delete. */
  private async tombstone(ctx: ApplyContext, mutation: Mutation): Promise<Outcome> {
    const changed = await ctx.sql.execute(
      `UPDATE scheduling.appointments SET deleted = true, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND NOT deleted`,
      [ctx.tenantId, mutation.id],
    );
    if (changed === 0) {
      const exists = await ctx.sql.query('SELECT 1 FROM scheduling.appointments WHERE tenant_id = $1 AND id = $2', [ctx.tenantId, mutation.id]);
      return exists.length > 0 ? APPLIED : rejected('NOT_FOUND', NOT_FOUND_REASON);
    }
    ctx.feed.touch('appointment', mutation.id);
    await reconcileBookingConflicts(ctx, mutation.id, false);
    return APPLIED;
  }
}
