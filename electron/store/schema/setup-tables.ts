import { entityColumns } from '../../../shared/entities/columns.ts';
import type { EntityTable } from '../entity-tables.ts';

/**
 * Store schema step 4 (issue 5): the org's set-up a workstation syncs (locations,
 * practitioners and staff, practitioner schedules, non-secret configuration) and the
 * double-booked slots the server found. All of it is written by the server only and
 * pulled read-only: no outbox entry ever refers to these tables.
 * Appended to MIGRATIONS; never edit once shipped.
 *
 * Columns are the snake_case of the wire fields (shared/entities/columns.ts), plus the
 * server's version and the per-field HLC every synced table carries. Booleans are 0/1,
 * lists and documents JSON text (SETUP_ENTITY_TABLES.encoded).
 */
export const SETUP_TABLES_SQL = `
  CREATE TABLE locations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    active INTEGER NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX locations_name ON locations (name COLLATE NOCASE);

  -- weekday: 1 = Monday (ISO 8601); times HH:MM; valid_to NULL = open-ended.
  CREATE TABLE practitioner_schedules (
    id TEXT PRIMARY KEY,
    practitioner_id TEXT NOT NULL,
    location_id TEXT NOT NULL,
    weekday INTEGER NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The desk asks "who works on this day", "when does this practitioner work", "what runs in this room".
  CREATE INDEX practitioner_schedules_day ON practitioner_schedules (weekday, start_time);
  CREATE INDEX practitioner_schedules_practitioner ON practitioner_schedules (practitioner_id, weekday, start_time);
  CREATE INDEX practitioner_schedules_location ON practitioner_schedules (location_id, weekday, start_time);

  CREATE TABLE staff_members (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    job_title TEXT NOT NULL,
    job_roles TEXT NOT NULL,
    is_practitioner INTEGER NOT NULL,
    npi TEXT,
    active INTEGER NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX staff_members_practitioners ON staff_members (is_practitioner, active, display_name COLLATE NOCASE);

  -- One row per org (id = the org's id). No tax id column: it never leaves the server.
  CREATE TABLE practice_profile (
    id TEXT PRIMARY KEY,
    legal_name TEXT NOT NULL,
    npi TEXT,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city TEXT NOT NULL,
    region TEXT NOT NULL,
    postal_code TEXT NOT NULL,
    country TEXT NOT NULL,
    phone TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE payer_contracts (
    id TEXT PRIMARY KEY,
    payer_name TEXT NOT NULL,
    plan_name TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    fee_schedule_ref TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX payer_contracts_payer ON payer_contracts (payer_name COLLATE NOCASE, plan_name COLLATE NOCASE);

  -- One row per org (id = the org's id). No claim thresholds column: they stay on the server.
  CREATE TABLE agent_config (
    id TEXT PRIMARY KEY,
    coding_rules TEXT NOT NULL,
    communication TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;

  -- starts_at_ms orders conflicts across UTC offsets, like appointments.starts_at_ms.
  CREATE TABLE booking_conflicts (
    id TEXT PRIMARY KEY,
    first_appointment_id TEXT NOT NULL,
    second_appointment_id TEXT NOT NULL,
    practitioner_id TEXT,
    practitioner_name TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    starts_at_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX booking_conflicts_status ON booking_conflicts (status, starts_at_ms);
`;

/** The ENTITY_TABLES entries of the set-up entities (electron/store/entity-tables.ts spreads them in). */
export const SETUP_ENTITY_TABLES: {
  readonly location: EntityTable<'location'>;
  readonly practitioner_schedule: EntityTable<'practitioner_schedule'>;
  readonly staff_member: EntityTable<'staff_member'>;
  readonly practice_profile: EntityTable<'practice_profile'>;
  readonly payer_contract: EntityTable<'payer_contract'>;
  readonly agent_config: EntityTable<'agent_config'>;
  readonly booking_conflict: EntityTable<'booking_conflict'>;
} = {
  location: { table: 'locations', columns: entityColumns('location'), encoded: { active: 'boolean' } },
  practitioner_schedule: { table: 'practitioner_schedules', columns: entityColumns('practitioner_schedule') },
  staff_member: {
    table: 'staff_members',
    columns: entityColumns('staff_member'),
    encoded: { jobRoles: 'json', isPractitioner: 'boolean', active: 'boolean' },
  },
  practice_profile: { table: 'practice_profile', columns: entityColumns('practice_profile') },
  payer_contract: { table: 'payer_contracts', columns: entityColumns('payer_contract') },
  agent_config: { table: 'agent_config', columns: entityColumns('agent_config'), encoded: { codingRules: 'json', communication: 'json' } },
  booking_conflict: {
    table: 'booking_conflicts',
    columns: entityColumns('booking_conflict'),
    derived: (fields) => ({ starts_at_ms: Date.parse(fields.startsAt) }),
  },
};
