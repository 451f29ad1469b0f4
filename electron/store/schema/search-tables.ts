/**
 * Store schema step 6 (issue 6): the patient search index, an FTS5 table inside the
 * encrypted store (never a side file: temp_store is MEMORY and FTS5 keeps its index in
 * ordinary pages of the same file). Appended to MIGRATIONS; never edit once shipped.
 *
 * Kept in sync by triggers on `patients`, so every writer is covered: the repositories,
 * pulled pages, a resync, and any connection without the app's SQL functions (the
 * triggers use built-in SQL only). The step also indexes the rows already in the store.
 *
 * patient_search (contentless: the index only, no second copy of the text) has two columns,
 * what electron/store/patient-search.ts builds its MATCH expression against:
 *   names    given and family name; the unicode61 tokenizer folds case and strips accents.
 *   keys     one token each: the MRN (lower case, punctuation removed), the phone's digits,
 *            the phone's digits without its "+CC " country-code group, the birth date as
 *            YYYYMMDD.
 * `patients` is WITHOUT ROWID, so patient_search_rows gives each patient the integer rowid
 * its index row is stored under, with what the results are ranked by (sort_name, mrn_key):
 * a narrow row per match, so ranking even a one-letter prefix that matches thousands of
 * patients reads no patient row. prefix = '1 2 3': the first letters typed stay an index lookup.
 */
const digits = (column: string) =>
  `replace(replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '(', ''), ')', ''), '.', ''), '+', ''), '/', '')`;

const compact = (column: string) =>
  `lower(replace(replace(replace(replace(replace(replace(replace(${column}, ' ', ''), '-', ''), '.', ''), '/', ''), '_', ''), '#', ''), ':', ''))`;

/** Trigger body: index one patient (last_insert_rowid() is, inside a trigger, the rowid just given out). */
function indexRowSql(id: string): string {
  return `INSERT INTO patient_search_rows (patient_id, sort_name, mrn_key) SELECT patient_id, sort_name, mrn_key FROM patient_search_source WHERE patient_id = ${id};
    INSERT INTO patient_search (rowid, names, keys) SELECT last_insert_rowid(), names, keys FROM patient_search_source WHERE patient_id = ${id};`;
}

/** Trigger body: drop one patient from the index (contentless_delete lets FTS5 delete by rowid alone). */
function unindexRowSql(id: string): string {
  return `DELETE FROM patient_search WHERE rowid = (SELECT rowid FROM patient_search_rows WHERE patient_id = ${id});
    DELETE FROM patient_search_rows WHERE patient_id = ${id};`;
}

export const SEARCH_TABLES_SQL = `
  CREATE TABLE patient_search_rows (
    rowid INTEGER PRIMARY KEY,
    patient_id TEXT NOT NULL UNIQUE,
    sort_name TEXT NOT NULL,
    mrn_key TEXT NOT NULL
  );

  CREATE VIRTUAL TABLE patient_search USING fts5(
    names, keys, content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
  );

  -- What a patient row puts into the index (used by the triggers and the backfill).
  CREATE VIEW patient_search_source AS
  SELECT p.id AS patient_id,
    lower(p.family_name || ' ' || p.given_name) AS sort_name,
    ${compact('p.mrn')} AS mrn_key,
    p.given_name || ' ' || p.family_name AS names,
    ${compact('p.mrn')} || ' ' || ${digits('p.phone')} || ' '
      || CASE WHEN p.phone LIKE '+%' AND instr(p.phone, ' ') > 0 THEN ${digits("substr(p.phone, instr(p.phone, ' ') + 1)")} ELSE '' END
      || ' ' || replace(p.birth_date, '-', '') AS keys
  FROM patients p;

  CREATE TRIGGER patients_search_insert AFTER INSERT ON patients BEGIN
    ${indexRowSql('new.id')}
  END;

  -- Upserts set every column; only a change of a searched field re-indexes the row.
  CREATE TRIGGER patients_search_update AFTER UPDATE ON patients
  WHEN old.id IS NOT new.id OR old.given_name IS NOT new.given_name OR old.family_name IS NOT new.family_name
    OR old.mrn IS NOT new.mrn OR old.phone IS NOT new.phone OR old.birth_date IS NOT new.birth_date
  BEGIN
    ${unindexRowSql('old.id')}
    ${indexRowSql('new.id')}
  END;

  CREATE TRIGGER patients_search_delete AFTER DELETE ON patients BEGIN
    ${unindexRowSql('old.id')}
  END;

  -- The rows already in the store (a store upgraded from schema 5).
  INSERT INTO patient_search_rows (patient_id, sort_name, mrn_key) SELECT patient_id, sort_name, mrn_key FROM patient_search_source;
  INSERT INTO patient_search (rowid, names, keys)
    SELECT r.rowid, s.names, s.keys FROM patient_search_source s JOIN patient_search_rows r ON r.patient_id = s.patient_id;
`;
