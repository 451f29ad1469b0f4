import { entityColumns } from '../../../shared/entities/columns.ts';
import type { EntityTable } from '../entity-tables.ts';

/**
 * Store schema step 3 (issue 5): the clinical records a workstation syncs (encounters,
 * notes, orders). Appended to MIGRATIONS; never edit once shipped.
 *
 * Columns are the snake_case of the wire fields (shared/entities/columns.ts), plus the
 * server's version and the per-field HLC every synced table carries. A front-desk store
 * keeps these tables (the schema is the same on every desk) but the server never sends
 * it a note or an order, so they stay empty there.
 */
export const CLINICAL_TABLES_SQL = `
  -- started_at_ms orders encounters across UTC offsets (ISO strings do not sort then).
  CREATE TABLE encounters (
    id TEXT PRIMARY KEY,
    patient_id TEXT NOT NULL,
    appointment_id TEXT,
    practitioner_id TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    started_at_ms INTEGER NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  -- A patient's chart, newest first; a practitioner's day.
  CREATE INDEX encounters_patient ON encounters (patient_id, started_at_ms DESC);
  CREATE INDEX encounters_practitioner_day ON encounters (practitioner_id, started_at_ms);

  CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    amends_id TEXT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    author_id TEXT NOT NULL,
    signed_at TEXT,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  -- The notes of an encounter (ids are UUIDv7: id order is creation order); the amendments of a note; an author's drafts.
  CREATE INDEX notes_encounter ON notes (encounter_id, id);
  CREATE INDEX notes_amends ON notes (amends_id) WHERE amends_id IS NOT NULL;
  CREATE INDEX notes_author_status ON notes (author_id, status);

  CREATE TABLE orders (
    id TEXT PRIMARY KEY,
    encounter_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    ordered_by TEXT NOT NULL,
    version INTEGER,
    field_hlc TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX orders_encounter ON orders (encounter_id, id);
  CREATE INDEX orders_status ON orders (status, encounter_id);
`;

/** The ENTITY_TABLES entries of the clinical entities (electron/store/entity-tables.ts spreads them in). */
export const CLINICAL_ENTITY_TABLES: {
  readonly encounter: EntityTable<'encounter'>;
  readonly note: EntityTable<'note'>;
  readonly order: EntityTable<'order'>;
} = {
  encounter: { table: 'encounters', columns: entityColumns('encounter'), derived: (fields) => ({ started_at_ms: Date.parse(fields.startedAt) }) },
  note: { table: 'notes', columns: entityColumns('note') },
  order: { table: 'orders', columns: entityColumns('order') },
};
