import type { ScheduleUpsertInput } from '../../../shared/api/scheduling.ts';
import { AppError } from '../../../shared/errors.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { serverRowFeed } from '../../sync/feed-reader.ts';
import { NO_POKE, writeWithFeed, type FeedNotify } from '../../sync/feed-transaction.ts';
import { usableLocation } from './locations.ts';

/** Asked of the personnel service, before any scheduling transaction: is this a practitioner of the org? */
export type PractitionerExists = (tenantId: string, practitionerId: string) => Promise<boolean>;

export interface ScheduleView {
  id: string;
  practitionerId: string;
  locationId: string;
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  validFrom: string;
  validTo: string | null;
  version: number;
}

const SELECT = `s.id::text AS id, s.practitioner_id::text AS "practitionerId", s.location_id::text AS "locationId", s.weekday::int AS weekday,
  to_char(s.start_time, 'HH24:MI') AS "startTime", to_char(s.end_time, 'HH24:MI') AS "endTime", s.slot_minutes::int AS "slotMinutes",
  s.valid_from::text AS "validFrom", s.valid_to::text AS "validTo", s.version`;

export const practitionerNotFound = () => new AppError('NOT_FOUND', 'No such practitioner in this organization.');
const scheduleNotFound = () => new AppError('NOT_FOUND', 'No such schedule in this organization.');

/** Per (org, practitioner): two desks saving overlapping blocks at once must not both pass the overlap check. */
export async function lockPractitioner(sql: Sql, tenantId: string, practitionerId: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`scheduling:practitioner:${tenantId}:${practitionerId}`]);
}

/** The practitioners' weekly blocks as workstations pull them (scheduling feed). */
export const readScheduleChanges = serverRowFeed<Omit<ScheduleView, 'id' | 'version'>>({
  domain: 'scheduling',
  entity: 'practitioner_schedule',
  from: 'scheduling.practitioner_schedules t',
  on: 't.tenant_id = c.tenant_id AND t.id = c.entity_id',
  select: `t.practitioner_id::text AS "practitionerId", t.location_id::text AS "locationId", t.weekday::int AS weekday,
    to_char(t.start_time, 'HH24:MI') AS "startTime", to_char(t.end_time, 'HH24:MI') AS "endTime", t.slot_minutes::int AS "slotMinutes",
    t.valid_from::text AS "validFrom", t.valid_to::text AS "validTo"`,
  toFields: ({ practitionerId, locationId, weekday, startTime, endTime, slotMinutes, validFrom, validTo }) =>
    ({ practitionerId, locationId, weekday, startTime, endTime, slotMinutes, validFrom, validTo }),
});

/** scheduling: each practitioner's weekly working blocks per location. Every change goes into the scheduling feed. */
export class ScheduleService {
  private readonly db: DomainDb;
  private readonly practitionerExists: PractitionerExists;
  private readonly notify: FeedNotify;

  constructor(db: DomainDb, practitionerExists: PractitionerExists, notify: FeedNotify = NO_POKE) {
    this.db = db;
    this.practitionerExists = practitionerExists;
    this.notify = notify;
  }

  list(tenantId: string, filter: { practitionerId?: string | undefined; locationId?: string | undefined }): Promise<ScheduleView[]> {
    return this.db.withTenant(tenantId, (sql) =>
      sql.query<ScheduleView>(
        `SELECT ${SELECT} FROM scheduling.practitioner_schedules s
         WHERE s.tenant_id = $1 AND ($2::uuid IS NULL OR s.practitioner_id = $2::uuid) AND ($3::uuid IS NULL OR s.location_id = $3::uuid)
         ORDER BY s.practitioner_id, s.weekday, s.start_time, s.valid_from, s.id`,
        [tenantId, filter.practitionerId ?? null, filter.locationId ?? null],
      ),
    );
  }

  /** Creates a block (no id) or replaces one (id); refuses one that overlaps another block of the practitioner. */
  async upsert(tenantId: string, input: ScheduleUpsertInput): Promise<ScheduleView> {
    if (!(await this.practitionerExists(tenantId, input.practitionerId))) throw practitionerNotFound();
    return writeWithFeed(this.db, 'scheduling', tenantId, this.notify, async (sql, feed) => {
      await lockPractitioner(sql, tenantId, input.practitionerId);
      if (input.id !== undefined) {
        const existing = await sql.query('SELECT 1 FROM scheduling.practitioner_schedules WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, input.id]);
        if (existing.length === 0) throw scheduleNotFound();
      }
      await usableLocation(sql, tenantId, input.locationId);
      const id = input.id ?? uuidv7();
      const block = [input.practitionerId, input.weekday, input.startTime, input.endTime, input.validFrom, input.validTo];
      const overlapping = await sql.query(
        `SELECT 1 FROM scheduling.practitioner_schedules
         WHERE tenant_id = $1 AND id <> $2 AND practitioner_id = $3 AND weekday = $4
           AND start_time < $6::time AND end_time > $5::time
           AND daterange(valid_from, valid_to, '[]') && daterange($7::date, $8::date, '[]')
         LIMIT 1`,
        [tenantId, id, ...block],
      );
      if (overlapping.length > 0) throw new AppError('CONFLICT', 'This practitioner already has a schedule block that overlaps these days and hours.');
      const rows = await sql.query<ScheduleView>(
        `INSERT INTO scheduling.practitioner_schedules AS s
           (tenant_id, id, practitioner_id, weekday, start_time, end_time, valid_from, valid_to, location_id, slot_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id, weekday = EXCLUDED.weekday,
           start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time, valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
           location_id = EXCLUDED.location_id, slot_minutes = EXCLUDED.slot_minutes, version = s.version + 1, updated_at = now()
         RETURNING ${SELECT}`,
        [tenantId, id, ...block, input.locationId, input.slotMinutes],
      );
      feed.touch('practitioner_schedule', id);
      return rows[0]!;
    });
  }
}
