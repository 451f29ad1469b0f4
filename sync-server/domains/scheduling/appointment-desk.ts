import type { AppointmentBookInput, AppointmentListInput, AppointmentStatusTarget } from '../../../shared/api/scheduling.ts';
import type { AppointmentFields } from '../../../shared/entities/appointment.ts';
import { AppError } from '../../../shared/errors.ts';
import type { HybridClock } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { stampAll } from '../../sync/lww.ts';
import type { ApplyContext } from '../../sync/outcome.ts';
import { APPOINTMENT_COLUMNS } from './appointment-columns.ts';
import type { LinkedPatients } from './appointments.ts';
import { insertAppointment, lockAppointment, mergeIntoAppointment } from './appointment-writes.ts';
import { holdBookingLock } from './booking-conflicts.ts';
import { usableLocation } from './locations.ts';
import { lockPractitioner, practitionerNotFound, type PractitionerExists } from './practitioner-schedules.ts';
import { isoTime } from '../../db/timestamps.ts';

export interface AppointmentView {
  id: string;
  patientId: string;
  practitionerId: string | null;
  locationId: string | null;
  startsAt: string;
  endsAt: string;
  status: AppointmentFields['status'];
  reason: string;
  practitionerName: string;
  location: string;
  version: number;
}

export interface AppointmentDeskDeps {
  linkedPatients: LinkedPatients;
  practitionerExists: PractitionerExists;
  clock: HybridClock;
  /** Pokes the orgs whose scheduling feed moved, after commit. */
  notify: (tenantIds: readonly string[]) => void;
}

const SELECT = `a.id::text AS id, a.patient_id::text AS "patientId", a.practitioner_id::text AS "practitionerId", a.location_id::text AS "locationId",
  a.starts_at AS "startsAt", a.ends_at AS "endsAt", a.status, a.reason, a.practitioner_name AS "practitionerName", a.location, a.version`;

type Row = Omit<AppointmentView, 'startsAt' | 'endsAt'> & { startsAt: Date; endsAt: Date };
const toView = (row: Row): AppointmentView => ({ ...row, startsAt: isoTime(row.startsAt), endsAt: isoTime(row.endsAt) });

const appointmentNotFound = () => new AppError('NOT_FOUND', 'No such appointment in this organization.');
const STATUS_WORDS: Record<AppointmentFields['status'], string> = { booked: 'booked', checked_in: 'checked in', cancelled: 'cancelled', no_show: 'marked as a no-show' };
const notBooked = (status: AppointmentFields['status'], action: string) =>
  new AppError('CONFLICT', `This appointment is already ${STATUS_WORDS[status]}; only a booked appointment can be ${action}.`);

async function readView(sql: Sql, tenantId: string, id: string): Promise<AppointmentView | null> {
  const rows = await sql.query<Row>(`SELECT ${SELECT} FROM scheduling.appointments a WHERE a.tenant_id = $1 AND a.id = $2 AND NOT a.deleted`, [tenantId, id]);
  return rows[0] ? toView(rows[0]) : null;
}

/** A practitioner cannot be in two booked (or checked-in) appointments at once. */
async function assertPractitionerFree(sql: Sql, tenantId: string, practitionerId: string, exceptId: string, startsAt: string, endsAt: string): Promise<void> {
  await lockPractitioner(sql, tenantId, practitionerId);
  const clash = await sql.query(
    `SELECT 1 FROM scheduling.appointments
     WHERE tenant_id = $1 AND practitioner_id = $2 AND id <> $3 AND NOT deleted AND status IN ('booked', 'checked_in')
       AND starts_at < $5::timestamptz AND ends_at > $4::timestamptz
     LIMIT 1`,
    [tenantId, practitionerId, exceptId, startsAt, endsAt],
  );
  if (clash.length > 0) throw new AppError('CONFLICT', 'The practitioner already has an appointment at that time.');
}

/**
 * The front desk's appointment work: list, book, check in, cancel, no-show, reschedule.
 * Every write is a field-level LWW write stamped by the server's clock and goes into the
 * same change feed as sync pushes, so every workstation of the org pulls it.
 */
export class AppointmentDesk {
  private readonly db: DomainDb;
  private readonly deps: AppointmentDeskDeps;

  constructor(db: DomainDb, deps: AppointmentDeskDeps) {
    this.db = db;
    this.deps = deps;
  }

  /** Appointments overlapping [from, to), in start order. */
  list(tenantId: string, input: AppointmentListInput): Promise<AppointmentView[]> {
    return this.db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query<Row>(
        `SELECT ${SELECT} FROM scheduling.appointments a
         WHERE a.tenant_id = $1 AND NOT a.deleted AND a.starts_at < $3::timestamptz AND a.ends_at > $2::timestamptz
           AND ($4::uuid IS NULL OR a.practitioner_id = $4::uuid) AND ($5::uuid IS NULL OR a.location_id = $5::uuid)
         ORDER BY a.starts_at, a.id LIMIT $6`,
        [tenantId, input.from, input.to, input.practitionerId ?? null, input.locationId ?? null, input.limit],
      );
      return rows.map(toView);
    });
  }

  async get(tenantId: string, id: string): Promise<AppointmentView> {
    const view = await this.db.withTenant(tenantId, (sql) => readView(sql, tenantId, id));
    if (!view) throw appointmentNotFound();
    return view;
  }

  async book(tenantId: string, input: AppointmentBookInput): Promise<AppointmentView> {
    // Other domains are asked before the scheduling transaction opens (never a cross-database query).
    const linked = await this.deps.linkedPatients(tenantId, [input.patientId]);
    if (!linked.has(input.patientId)) throw new AppError('NOT_FOUND', 'No such patient in this organization.');
    if (!(await this.deps.practitionerExists(tenantId, input.practitionerId))) throw practitionerNotFound();
    const id = uuidv7();
    return this.write(tenantId, async (ctx) => {
      const location = await usableLocation(ctx.sql, tenantId, input.locationId);
      await assertPractitionerFree(ctx.sql, tenantId, input.practitionerId, id, input.startsAt, input.endsAt);
      const fields: AppointmentFields = {
        patientId: input.patientId,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        status: 'booked',
        reason: input.reason,
        practitionerName: input.practitionerName,
        location: location.name,
      };
      await insertAppointment(ctx, id, fields, stampAll(Object.keys(APPOINTMENT_COLUMNS), this.deps.clock.tick()), {
        practitionerId: input.practitionerId,
        locationId: input.locationId,
      });
      return id;
    });
  }

  /** booked -> checked_in | cancelled | no_show; anything else is a CONFLICT with a sentence. */
  setStatus(tenantId: string, id: string, status: AppointmentStatusTarget): Promise<AppointmentView> {
    const action = { checked_in: 'checked in', cancelled: 'cancelled', no_show: 'marked as a no-show' }[status];
    return this.change(tenantId, id, action, async () => ({ status }));
  }

  /** New times for a booked appointment. */
  reschedule(tenantId: string, id: string, times: { startsAt: string; endsAt: string }): Promise<AppointmentView> {
    return this.change(tenantId, id, 'rescheduled', async (sql, practitionerId) => {
      if (practitionerId !== null) await assertPractitionerFree(sql, tenantId, practitionerId, id, times.startsAt, times.endsAt);
      return { startsAt: times.startsAt, endsAt: times.endsAt };
    });
  }

  /** A state-checked change of a booked appointment, merged field by field like a pushed mutation. */
  private change(
    tenantId: string,
    id: string,
    action: string,
    fieldsFor: (sql: Sql, practitionerId: string | null) => Promise<Partial<AppointmentFields>>,
  ): Promise<AppointmentView> {
    return this.write(tenantId, async (ctx) => {
      const existing = await lockAppointment(ctx.sql, tenantId, id);
      if (!existing || existing.deleted) throw appointmentNotFound();
      if (existing.status !== 'booked') throw notBooked(existing.status, action);
      const view = await readView(ctx.sql, tenantId, id);
      const fields = await fieldsFor(ctx.sql, view!.practitionerId);
      // Order this write after every stored write of these fields (a workstation may have stamped them ahead of us).
      for (const field of Object.keys(fields)) {
        const stored = existing.fieldHlc[field];
        if (stored !== undefined) this.deps.clock.receive(stored);
      }
      const merged = await mergeIntoAppointment(ctx, existing, fields, this.deps.clock.tick());
      if (!merged.ok) throw new AppError('VALIDATION', 'The appointment must end after it starts.');
      if (merged.won.length < Object.keys(fields).length) {
        throw new AppError('CONFLICT', 'A workstation changed this appointment at the same moment. Please reload it and try again.');
      }
      return id;
    });
  }

  /** One scheduling transaction with a feed; pokes the org after commit; returns the appointment as stored. */
  private async write(tenantId: string, body: (ctx: ApplyContext) => Promise<string>): Promise<AppointmentView> {
    const { view, touched } = await this.db.withTenant(tenantId, async (sql) => {
      const feed = new FeedWriter('scheduling', tenantId);
      await holdBookingLock({ sql, tenantId, feed }); // the first lock of the transaction (see lockBookings)
      const id = await body({ sql, tenantId, feed });
      const touched = await feed.flush(sql);
      return { view: (await readView(sql, tenantId, id))!, touched };
    });
    this.deps.notify(touched);
    return view;
  }
}
