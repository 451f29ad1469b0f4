import type { Db as Database } from './db.ts';
import { CLINICAL_TABLES_SQL } from './schema/clinical-tables.ts';
import { SEARCH_TABLES_SQL } from './schema/search-tables.ts';
import { SETUP_TABLES_SQL } from './schema/setup-tables.ts';
import { SEARCH_MRN_INDEX_SQL } from './schema/search-mrn-index.ts';
import { STAFF_USER_LINK_SQL } from './schema/staff-user-link.ts';
import { SYNC_STATE_TABLES_SQL } from './schema/sync-state-tables.ts';
import { StoreOpenError } from './store-errors.ts';

/**
 * Versioned schema. Each step runs in its own transaction together with the bump of
 * `user_version`, so a crash leaves the store at a whole version, never half-way.
 * Append new steps; never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the walking skeleton.
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  -- field_hlc: JSON object field -> HLC of the value held (field-level last-writer-wins).
  -- version: the server's version of the row, NULL until the server has seen it.
  CREATE TABLE patients (
    id TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL,
    phone TEXT NOT NULL,
    mrn TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX patients_family ON patients (family_name COLLATE NOCASE);
  CREATE INDEX patients_given ON patients (given_name COLLATE NOCASE);
  CREATE INDEX patients_birth ON patients (birth_date);
  CREATE INDEX patients_mrn ON patients (mrn COLLATE NOCASE);

  -- starts_at_ms orders appointments across UTC offsets (ISO strings do not sort then).
  CREATE TABLE appointments (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    starts_at_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    practitioner_name TEXT NOT NULL,
    location TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX appointments_start ON appointments (starts_at_ms);
  CREATE INDEX appointments_patient ON appointments (patient_id);

  -- Local changes not yet acknowledged by the server, in the order they were made.
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    mutation_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    fields TEXT NOT NULL,
    hlc TEXT NOT NULL,
    base_version INTEGER,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'rejected')),
    reject_code TEXT,
    reject_reason TEXT,
    created_at TEXT NOT NULL
  );
  CREATE INDEX outbox_entity ON outbox (entity, entity_id, status);

  CREATE TABLE sync_cursors (domain TEXT PRIMARY KEY, cursor TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;

  -- Values that lost a field-level merge, kept so a person can review them later.
  CREATE TABLE conflicts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    losing_value TEXT,
    losing_hlc TEXT,
    winning_value TEXT,
    winning_hlc TEXT,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX conflicts_entity ON conflicts (entity, entity_id);
  `,
  // 2: people and the device lifecycle (issue 4).
  `
  -- Users who signed in online on this device: their offline-unlock verifier (scrypt, a
  -- memory-hard hash of the password, never the password) and the lockout counters, kept
  -- inside the encrypted store so they survive restarts and cannot be reset from outside.
  CREATE TABLE local_users (
    user_id TEXT PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    verifier TEXT NOT NULL,
    last_online_at TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
  ) WITHOUT ROWID;

  -- Emergency unlocks made on this device, kept until the server has them in its audit trail.
  CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    started_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    uploaded_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX break_glass_pending ON break_glass (uploaded_at);
  `,
  // 3: clinical records (issue 5).
  CLINICAL_TABLES_SQL,
  // 4: the org's set-up and non-secret configuration (issue 5).
  SETUP_TABLES_SQL,
  // 5: sync bookkeeping (issue 5).
  SYNC_STATE_TABLES_SQL,
  // 6: the patient search index (issue 6).
  SEARCH_TABLES_SQL,
  // 7: a staff record's linked sign-in account (re-pulls personnel).
  STAFF_USER_LINK_SQL,
  // 8: the search rows' MRN index (a broad search ranks a capped set of matches).
  SEARCH_MRN_INDEX_SQL,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrateOptions {
  /** Stop at this version instead of the latest (tests build a store of a shipped older schema). */
  target?: number;
  /** TEST ONLY: run these steps instead of the shipped ones, to prove a failing step rolls back. */
  stepsForTest?: readonly string[];
}

export interface MigrationOutcome {
  from: number;
  to: number;
}

/** The schema version stamped in the file (0: nothing created yet). */
export function schemaVersionOf(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * A file made by a newer app is refused before anything is written to it: its schema may
 * hold data this app would not know to keep, so it is neither migrated nor written.
 */
export function assertSchemaNotNewer(db: Database, latest: number = SCHEMA_VERSION): void {
  if (schemaVersionOf(db) > latest) throw new StoreOpenError('newer_schema');
}

/**
 * Brings the store up to `target` (default: this app's schema), one step per transaction
 * together with the bump of `user_version`. A failing step is rolled back whole (SQLite DDL
 * is transactional), so the file stays at the last whole version with its rows intact, and
 * the failure is a typed StoreOpenError('upgrade_failed') carrying the cause.
 */
export function migrate(db: Database, options: MigrateOptions = {}): MigrationOutcome {
  const steps = options.stepsForTest ?? MIGRATIONS;
  const target = options.target ?? steps.length;
  if (!Number.isInteger(target) || target < 0 || target > steps.length) {
    throw new RangeError(`migration target must be a whole number from 0 to ${steps.length}`);
  }
  assertSchemaNotNewer(db, steps.length);
  const from = schemaVersionOf(db);
  for (let version = from + 1; version <= target; version++) {
    const sql = steps[version - 1] ?? '';
    try {
      db.transaction(() => {
        db.exec(sql);
        db.pragma(`user_version = ${version}`);
      })();
    } catch (error) {
      throw new StoreOpenError('upgrade_failed', { cause: error });
    }
  }
  return { from, to: Math.max(from, target) };
}
