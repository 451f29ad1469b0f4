import type { BookingConflictFields } from '../../../shared/entities/booking-conflict.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { isoTime } from '../../db/timestamps.ts';
import { serverRowFeed } from '../../sync/feed-reader.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';
import type { FeedWriter } from '../../sync/feed-writer.ts';
import type { ApplyContext } from '../../sync/outcome.ts';

/**
 * Double-booked slots (DESIGN §4). Two desks offline may book one practitioner into
 * overlapping times; both bookings are accepted (none is lost), and the overlap is recorded
 * here, in the transaction of the write that made it, so every desk of the org pulls it and
 * a person decides. A later write of either appointment that removes the overlap (new
 * times, cancelled, no-show, deleted) resolves it in its own transaction.
 *
 * Same practitioner: the same practitioner id when both appointments have one (desk
 * bookings), otherwise the same practitioner name, trimmed and case-blind (appointments made
 * on a workstation carry only the name). Active: booked or checked in, not deleted.
 */

/**
 * Every transaction that writes appointments takes this per-org lock FIRST, before any row
 * or practitioner lock: two pushes of overlapping bookings then cannot both miss each other
 * (under READ COMMITTED neither would see the other's uncommitted row), and taking it first
 * everywhere keeps the lock order fixed, so no two writers can deadlock on it.
 */
export async function lockBookings(sql: Sql, tenantId: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`scheduling:bookings:${tenantId}`]);
}

/**
 * How far back an overlapping appointment's start is looked for. Without a bound, "starts
 * before my end" would walk every earlier appointment of the org on each write; visits are
 * at most hours long (desk bookings at most 12 h), so one day keeps every real overlap.
 */
const LOOK_BACK = "interval '1 day'";

interface ConflictRow {
  id: string;
  other: string;
  status: BookingConflictFields['status'];
  resolution: BookingConflictFields['resolution'];
  startsAt: Date;
  endsAt: Date;
}

/** The written appointment's facts, once per clashing appointment (clash columns NULL when none). */
interface ClashRow {
  active: boolean;
  practitionerId: string | null;
  practitionerName: string;
  clashId: string | null;
  clashPractitionerId: string | null;
  startsAt: Date | null;
  endsAt: Date | null;
}

/** The FeedWriter is one per transaction, so it marks the transactions that already hold the lock. */
const holdingBookingLock = new WeakSet<FeedWriter>();

/** lockBookings, once per transaction (a push of many appointments takes it on its first one). */
export async function holdBookingLock(ctx: ApplyContext): Promise<void> {
  if (holdingBookingLock.has(ctx.feed)) return;
  await lockBookings(ctx.sql, ctx.tenantId);
  holdingBookingLock.add(ctx.feed);
}

/**
 * Re-derives the booking conflicts of one appointment after it was written, in that
 * transaction. `isNew`: the appointment was just inserted, so it has no conflict yet (one
 * query fewer on the hot path of an offline replay). One query finds the appointment and
 * everything it overlaps; a second reads its known conflicts.
 */
export async function reconcileBookingConflicts(ctx: ApplyContext, appointmentId: string, isNew: boolean): Promise<void> {
  const { sql, tenantId, feed } = ctx;
  await holdBookingLock(ctx);
  const rows = await sql.query<ClashRow>(
    `SELECT me.active, me.practitioner_id::text AS "practitionerId", me.practitioner_name AS "practitionerName",
       clash.id::text AS "clashId", clash.practitioner_id::text AS "clashPractitionerId",
       greatest(clash.starts_at, me.starts_at) AS "startsAt", least(clash.ends_at, me.ends_at) AS "endsAt"
     FROM (SELECT id, practitioner_id, practitioner_name, lower(btrim(practitioner_name)) AS name, starts_at, ends_at,
             NOT deleted AND status IN ('booked', 'checked_in') AS active
           FROM scheduling.appointments WHERE tenant_id = $1 AND id = $2) me
     LEFT JOIN LATERAL (
       SELECT a.id, a.practitioner_id, a.starts_at, a.ends_at FROM scheduling.appointments a
       WHERE me.active AND a.tenant_id = $1 AND a.id <> me.id AND NOT a.deleted AND a.status IN ('booked', 'checked_in')
         AND a.starts_at < me.ends_at AND a.ends_at > me.starts_at AND a.starts_at > me.starts_at - ${LOOK_BACK}
         AND CASE WHEN me.practitioner_id IS NOT NULL AND a.practitioner_id IS NOT NULL THEN a.practitioner_id = me.practitioner_id
                  ELSE me.name <> '' AND lower(btrim(a.practitioner_name)) = me.name END
     ) clash ON true
     ORDER BY clash.starts_at, clash.id`,
    [tenantId, appointmentId],
  );
  const me = rows[0];
  if (!me) return;
  const clashes = rows.filter((row) => row.clashId !== null);
  if (isNew && clashes.length === 0) return;
  const existing = isNew
    ? []
    : await sql.query<ConflictRow>(
        `SELECT id::text AS id, status, resolution, starts_at AS "startsAt", ends_at AS "endsAt",
           (CASE WHEN first_appointment_id = $2 THEN second_appointment_id ELSE first_appointment_id END)::text AS other
         FROM scheduling.booking_conflicts
         WHERE tenant_id = $1 AND (first_appointment_id = $2 OR second_appointment_id = $2)`,
        [tenantId, appointmentId],
      );
  const byOther = new Map(existing.map((row) => [row.other, row]));

  for (const row of clashes) {
    const clash = { id: row.clashId!, practitionerId: row.clashPractitionerId, startsAt: row.startsAt!, endsAt: row.endsAt! };
    const known = byOther.get(clash.id);
    byOther.delete(clash.id);
    if (!known) {
      const id = uuidv7();
      await sql.execute(
        `INSERT INTO scheduling.booking_conflicts
           (tenant_id, id, first_appointment_id, second_appointment_id, practitioner_id, practitioner_name, starts_at, ends_at, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open')`,
        [tenantId, id, clash.id, appointmentId, me.practitionerId ?? clash.practitionerId, me.practitionerName.trim(), isoTime(clash.startsAt), isoTime(clash.endsAt)],
      );
      feed.touch('booking_conflict', id);
      continue;
    }
    // A person accepted this overlap: it stays accepted while the pair keeps overlapping.
    if (known.resolution === 'dismissed') continue;
    const sameTimes = known.startsAt.getTime() === clash.startsAt.getTime() && known.endsAt.getTime() === clash.endsAt.getTime();
    if (known.status === 'open' && sameTimes) continue;
    await sql.execute(
      `UPDATE scheduling.booking_conflicts SET status = 'open', resolution = NULL, starts_at = $3, ends_at = $4,
         version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, known.id, isoTime(clash.startsAt), isoTime(clash.endsAt)],
    );
    feed.touch('booking_conflict', known.id);
  }

  // Pairs that no longer overlap: this appointment moved, or it no longer takes the slot.
  const resolution: BookingConflictFields['resolution'] = me.active ? 'rescheduled' : 'cancelled';
  for (const gone of byOther.values()) {
    if (gone.status !== 'open') continue;
    await sql.execute(
      `UPDATE scheduling.booking_conflicts SET status = 'resolved', resolution = $3, version = version + 1, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [tenantId, gone.id, resolution],
    );
    feed.touch('booking_conflict', gone.id);
  }
}

interface StoredConflict {
  firstAppointmentId: string;
  secondAppointmentId: string;
  practitionerId: string | null;
  practitionerName: string;
  startsAt: Date;
  endsAt: Date;
  status: BookingConflictFields['status'];
  resolution: BookingConflictFields['resolution'];
}

const CONFLICT_SELECT = `t.first_appointment_id::text AS "firstAppointmentId", t.second_appointment_id::text AS "secondAppointmentId",
  t.practitioner_id::text AS "practitionerId", t.practitioner_name AS "practitionerName", t.starts_at AS "startsAt", t.ends_at AS "endsAt",
  t.status, t.resolution`;

const toFields = (row: StoredConflict): BookingConflictFields => ({
  firstAppointmentId: row.firstAppointmentId,
  secondAppointmentId: row.secondAppointmentId,
  practitionerId: row.practitionerId,
  practitionerName: row.practitionerName,
  startsAt: isoTime(row.startsAt),
  endsAt: isoTime(row.endsAt),
  status: row.status,
  resolution: row.resolution,
});

/** The org's booking conflicts as workstations pull them (scheduling feed). */
export const readBookingConflictChanges = serverRowFeed<StoredConflict>({
  domain: 'scheduling',
  entity: 'booking_conflict',
  from: 'scheduling.booking_conflicts t',
  on: 't.tenant_id = c.tenant_id AND t.id = c.entity_id',
  select: CONFLICT_SELECT,
  toFields,
});

export type BookingConflictView = BookingConflictFields & { id: string; version: number };

const conflictNotFound = () => new AppError('NOT_FOUND', 'No such booking conflict in this organization.');

/** scheduling: the org's double-booked slots, online (listing, and accepting an overlap on purpose). */
export class BookingConflictService {
  private readonly db: DomainDb;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.notify = notify;
  }

  /** The org's conflicts (all, or open / resolved ones only), in slot order. */
  list(tenantId: string, filter: { status?: BookingConflictFields['status'] | undefined; id?: string | undefined } = {}): Promise<BookingConflictView[]> {
    return this.db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query<StoredConflict & { id: string; version: number }>(
        `SELECT t.id::text AS id, t.version, ${CONFLICT_SELECT} FROM scheduling.booking_conflicts t
         WHERE t.tenant_id = $1 AND ($2::text IS NULL OR t.status = $2::text) AND ($3::uuid IS NULL OR t.id = $3::uuid)
         ORDER BY t.starts_at, t.id LIMIT 1000`,
        [tenantId, filter.status ?? null, filter.id ?? null],
      );
      return rows.map((row) => ({ id: row.id, version: row.version, ...toFields(row) }));
    });
  }

  /**
   * A person looked at the overlap and keeps both appointments (e.g. a group session): the
   * conflict is resolved as 'dismissed' and is not reopened while the pair keeps overlapping.
   */
  async dismiss(tenantId: string, id: string): Promise<BookingConflictView> {
    await writeWithFeed(this.db, 'scheduling', tenantId, this.notify, async (sql, feed) => {
      await lockBookings(sql, tenantId);
      const changed = await sql.execute(
        `UPDATE scheduling.booking_conflicts SET status = 'resolved', resolution = 'dismissed', version = version + 1, updated_at = now()
         WHERE tenant_id = $1 AND id = $2 AND status = 'open'`,
        [tenantId, id],
      );
      if (changed === 0) {
        const exists = await sql.query('SELECT 1 FROM scheduling.booking_conflicts WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
        if (exists.length === 0) throw conflictNotFound();
        return;
      }
      feed.touch('booking_conflict', id);
    });
    const [view] = await this.list(tenantId, { id });
    if (!view) throw conflictNotFound();
    return view;
  }
}
