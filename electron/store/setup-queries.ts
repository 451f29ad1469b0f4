import type { AgentConfigFields } from '../../shared/entities/agent-config.ts';
import type { BookingConflictFields } from '../../shared/entities/booking-conflict.ts';
import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';
import type { LocationFields } from '../../shared/entities/location.ts';
import type { PayerContractFields } from '../../shared/entities/payer-contract.ts';
import type { PracticeProfileFields } from '../../shared/entities/practice-profile.ts';
import type { PractitionerScheduleFields } from '../../shared/entities/practitioner-schedule.ts';
import type { StaffMemberFields } from '../../shared/entities/staff-member.ts';
import type { Db } from './db.ts';
import { fieldsOfRow } from './rows.ts';

/**
 * Read-only queries on the org's set-up as pulled from the server (schema/setup-tables.ts).
 * There are no writes here: set-up is edited online by admins, and workstations only read it.
 */

export type WithId<F> = F & { id: string };
export type LocationRow = WithId<LocationFields>;
export type StaffMemberRow = WithId<StaffMemberFields>;
export type ScheduleRow = WithId<PractitionerScheduleFields>;
export type PracticeProfileRow = WithId<PracticeProfileFields>;
export type PayerContractRow = WithId<PayerContractFields>;
export type AgentConfigRow = WithId<AgentConfigFields>;
export type BookingConflictRow = WithId<BookingConflictFields>;

type Params = Record<string, string | number>;

function rowsOf<E extends EntityName>(db: Db, entity: E, sql: string, params: Params = {}): WithId<EntityFields<E>>[] {
  const rows = db.prepare<[Params], Record<string, unknown>>(sql).all(params);
  return rows.map((row) => ({ ...fieldsOfRow(entity, row), id: String(row['id']) }));
}

export function listLocations(db: Db, options: { includeInactive?: boolean | undefined } = {}): LocationRow[] {
  return rowsOf(db, 'location', `SELECT * FROM locations WHERE active = 1 OR @all = 1 ORDER BY name COLLATE NOCASE, id`, {
    all: options.includeInactive ? 1 : 0,
  });
}

/** `linkedTo`: only the records linked to these sign-in accounts (user ids). */
export function listStaff(
  db: Db,
  options: { practitionersOnly?: boolean | undefined; includeInactive?: boolean | undefined; linkedTo?: readonly string[] | undefined } = {},
): StaffMemberRow[] {
  return rowsOf(
    db,
    'staff_member',
    `SELECT * FROM staff_members WHERE (is_practitioner = 1 OR @anyone = 1) AND (active = 1 OR @all = 1)
       AND (@anyUser = 1 OR user_id IN (SELECT value FROM json_each(@userIds)))
     ORDER BY display_name COLLATE NOCASE, id`,
    {
      anyone: options.practitionersOnly ? 0 : 1,
      all: options.includeInactive ? 1 : 0,
      anyUser: options.linkedTo ? 0 : 1,
      userIds: JSON.stringify(options.linkedTo ?? []),
    },
  );
}

/** Weekly blocks, filtered by practitioner, location and/or ISO weekday (1 = Monday), in day and time order. */
export function listSchedules(
  db: Db,
  filter: { practitionerId?: string | undefined; locationId?: string | undefined; weekday?: number | undefined } = {},
): ScheduleRow[] {
  const where: string[] = [];
  const params: Params = {};
  if (filter.practitionerId !== undefined) {
    where.push('practitioner_id = @practitionerId');
    params['practitionerId'] = filter.practitionerId;
  }
  if (filter.locationId !== undefined) {
    where.push('location_id = @locationId');
    params['locationId'] = filter.locationId;
  }
  if (filter.weekday !== undefined) {
    where.push('weekday = @weekday');
    params['weekday'] = filter.weekday;
  }
  return rowsOf(
    db,
    'practitioner_schedule',
    `SELECT * FROM practitioner_schedules ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY weekday, start_time, practitioner_id, valid_from, id`,
    params,
  );
}

/** The org's practice profile (never with its Tax ID), or null until an admin saved one and it was pulled. */
export function practiceProfile(db: Db): PracticeProfileRow | null {
  return rowsOf(db, 'practice_profile', 'SELECT * FROM practice_profile LIMIT 1')[0] ?? null;
}

/** All payer contracts, or those in force on one day (YYYY-MM-DD). */
export function listPayerContracts(db: Db, options: { activeOn?: string | undefined } = {}): PayerContractRow[] {
  const day = options.activeOn;
  return rowsOf(
    db,
    'payer_contract',
    `SELECT * FROM payer_contracts
     WHERE @day = '' OR (effective_from <= @day AND (effective_to IS NULL OR effective_to >= @day))
     ORDER BY payer_name COLLATE NOCASE, plan_name COLLATE NOCASE, effective_from, id`,
    { day: day ?? '' },
  );
}

/** The org's coding rules and communication preferences, or null while it runs on the server's defaults. */
export function agentConfig(db: Db): AgentConfigRow | null {
  return rowsOf(db, 'agent_config', 'SELECT * FROM agent_config LIMIT 1')[0] ?? null;
}

/** Double-booked slots the server found, open ones by default, in slot order. */
export function listBookingConflicts(db: Db, options: { status?: BookingConflictFields['status'] | 'all' | undefined } = {}): BookingConflictRow[] {
  const status = options.status ?? 'open';
  return rowsOf(
    db,
    'booking_conflict',
    `SELECT * FROM booking_conflicts WHERE @status = 'all' OR status = @status ORDER BY starts_at_ms, id`,
    { status },
  );
}
