import { uuidv7 } from '../../../shared/ids.ts';
import type { Sql } from '../../db/sql.ts';
import { insertNewPatients } from '../../domains/master_data/patient-bulk.ts';
import { writeLink } from '../../domains/master_data/patient-links.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { claimedKeys, claimKeys, lockImport, type ImportRun, type RowOutcome } from './import-run.ts';
import type { PatientImportRow } from './patient-rows.ts';

const mrnKey = (mrn: string) => `mrn:${mrn.toUpperCase()}`;

const DUPLICATE_MRN = 'appears earlier in this file (the MRN must name one patient)';
const DUPLICATE_ID = 'a Patient with this id appears earlier in this file';
const ALREADY_HERE = 'matches a patient this organization already has under another MRN; it was not imported again';
const POSSIBLE_MATCH =
  'possible match not linked: a patient with similar details may be registered elsewhere, but without the strong match (identifier, names and birth date) a new patient was created; link them with a link code if it is the same person';

/**
 * Writes one batch of patients for an org in one master_data transaction:
 * - an MRN the org already has (a live link) is that patient: left as it is ("already present");
 * - otherwise an identifier that strongly matches a patient above the org (the same SECURITY
 *   DEFINER match as patients.linkExisting: identifier + given + family name + birth date)
 *   links that patient to the org with this MRN ("linked"), never copying the import's values
 *   over the patient's own identity;
 * - anything weaker creates a new patient, with a "possible match not linked" warning when
 *   master_data.possible_patient_match says someone similar exists (a yes/no, nothing more).
 * The MRN and the source id are recorded as import keys, so the next run finds the rows.
 */
export async function writePatientBatch(run: ImportRun, rows: readonly PatientImportRow[]): Promise<RowOutcome[]> {
  const { tenantId } = run;
  const hlc = run.targets.clock.tick();
  const { outcomes, touched } = await run.targets.masterData.withTenant(tenantId, async (sql) => {
    await lockImport(sql, tenantId);
    const feed = new FeedWriter('master_data', tenantId);
    const outcomes = await placePatients(sql, run, rows, feed, hlc);
    return { outcomes, touched: await feed.flush(sql) };
  });
  run.targets.notify('master_data', touched);
  return outcomes;
}

async function placePatients(sql: Sql, run: ImportRun, rows: readonly PatientImportRow[], feed: FeedWriter, hlc: string): Promise<RowOutcome[]> {
  const { tenantId } = run;
  const outcomes: RowOutcome[] = [];
  const claimed = await claimedKeys(sql, 'master_data', tenantId, rows.flatMap((row) => [mrnKey(row.fields.mrn), ...(row.sourceKey ? [row.sourceKey] : [])]));
  const existing = await existingByMrn(sql, tenantId, rows.map((row) => row.fields.mrn.toUpperCase()));

  // Rows the org already has, and duplicates inside the file (this batch, or claimed earlier in this run).
  const seen = new Set<string>();
  const pending: PatientImportRow[] = [];
  const keys: { key: string; targetId: string }[] = [];
  const keep = (row: PatientImportRow, patientId: string) => {
    keys.push({ key: mrnKey(row.fields.mrn), targetId: patientId });
    if (row.sourceKey) keys.push({ key: row.sourceKey, targetId: patientId });
  };
  for (const row of rows) {
    const key = mrnKey(row.fields.mrn);
    if (seen.has(key) || claimed.get(key)?.runId === run.runId) {
      outcomes.push({ place: row.place, result: 'failed', field: 'mrn', message: DUPLICATE_MRN });
      continue;
    }
    if (row.sourceKey && (seen.has(row.sourceKey) || claimed.get(row.sourceKey)?.runId === run.runId)) {
      outcomes.push({ place: row.place, result: 'failed', field: 'id', message: DUPLICATE_ID });
      continue;
    }
    seen.add(key);
    if (row.sourceKey) seen.add(row.sourceKey);
    const known = existing.get(row.fields.mrn.toUpperCase());
    if (known) {
      keep(row, known);
      outcomes.push({ place: row.place, result: 'unchanged' });
    } else pending.push(row);
  }

  // Strong match above the org, then the possible-match hint for the rest.
  const matches = await strongMatches(sql, pending);
  const linkedHere = await liveLinks(sql, tenantId, [...new Set(matches.values())]);
  const creates: (PatientImportRow & { id: string })[] = [];
  const identifierRows: { patientId: string; system: string; value: string }[] = [];
  const unmatched = pending.filter((row, n) => !matches.has(n));
  const possible = await possibleMatches(sql, unmatched);
  for (const [n, row] of pending.entries()) {
    const matched = matches.get(n);
    if (matched !== undefined) {
      if (linkedHere.has(matched)) {
        outcomes.push({ place: row.place, result: 'failed', field: 'identifier', message: ALREADY_HERE });
        continue;
      }
      linkedHere.add(matched);
      await writeLink(sql, feed, tenantId, matched, row.fields.mrn, hlc);
      identifierRows.push(...row.identifiers.map((identifier) => ({ patientId: matched, ...identifier })));
      keep(row, matched);
      outcomes.push({ place: row.place, result: 'linked' });
      continue;
    }
    const id = uuidv7();
    creates.push({ ...row, id });
    identifierRows.push(...row.identifiers.map((identifier) => ({ patientId: id, ...identifier })));
    keep(row, id);
    outcomes.push({ place: row.place, result: 'created', ...(possible.has(row) ? { warning: { field: 'patient', message: POSSIBLE_MATCH } } : {}) });
  }
  await insertNewPatients(sql, feed, tenantId, creates.map((row) => ({ ...row.fields, id: row.id })), hlc);
  await recordIdentifiers(sql, tenantId, identifierRows);
  await claimKeys(sql, 'master_data', run, keys);
  return outcomes;
}

/** The org's live patients by MRN (compared upper-case, as the desk's search does); the first by id if an MRN is on two. */
async function existingByMrn(sql: Sql, tenantId: string, mrns: readonly string[]): Promise<Map<string, string>> {
  const rows = await sql.query<{ mrn: string; id: string }>(
    `SELECT DISTINCT ON (upper(mrn)) upper(mrn) AS mrn, patient_id::text AS id FROM master_data.tenant_patients
     WHERE tenant_id = $1 AND NOT deleted AND upper(mrn) = ANY ($2::text[]) ORDER BY upper(mrn), patient_id`,
    [tenantId, [...new Set(mrns)]],
  );
  return new Map(rows.map((row) => [row.mrn, row.id]));
}

/**
 * Row position → patient id, for rows whose identifiers strongly match one patient (every
 * identifier that matches names the same one; rows whose identifiers disagree link nothing).
 * One statement for the batch, through master_data.match_patient_by_identifier.
 */
async function strongMatches(sql: Sql, rows: readonly PatientImportRow[]): Promise<Map<number, string>> {
  const probes = rows.flatMap((row, n) =>
    row.identifiers.map((identifier) => ({ n, system: identifier.system, value: identifier.value, given: row.fields.givenName, family: row.fields.familyName, birth: row.fields.birthDate })),
  );
  if (probes.length === 0) return new Map();
  const found = await sql.query<{ n: number; id: string | null }>(
    `SELECT x.n, master_data.match_patient_by_identifier(x.system, x.value, x.given, x.family, x.birth::date)::text AS id
     FROM jsonb_to_recordset($1::jsonb) AS x (n int, system text, value text, given text, family text, birth text)`,
    [JSON.stringify(probes)],
  );
  const ids = new Map<number, Set<string>>();
  for (const { n, id } of found) if (id !== null) (ids.get(n) ?? ids.set(n, new Set()).get(n)!).add(id);
  const matches = new Map<number, string>();
  for (const [n, set] of ids) if (set.size === 1) matches.set(n, [...set][0]!);
  return matches;
}

/** The rows for which possible_patient_match says someone similar is registered elsewhere (a yes/no each). */
async function possibleMatches(sql: Sql, rows: readonly PatientImportRow[]): Promise<Set<PatientImportRow>> {
  if (rows.length === 0) return new Set();
  const probes = rows.map((row, n) => ({ n, given: row.fields.givenName, family: row.fields.familyName, birth: row.fields.birthDate, values: row.identifiers.map((i) => i.value) }));
  const found = await sql.query<{ n: number }>(
    `SELECT x.n FROM jsonb_to_recordset($1::jsonb) AS x (n int, given text, family text, birth text, "values" jsonb)
     WHERE master_data.possible_patient_match(x.given, x.family, x.birth::date, ARRAY(SELECT jsonb_array_elements_text(x."values")))`,
    [JSON.stringify(probes)],
  );
  return new Set(found.map(({ n }) => rows[n]!));
}

async function liveLinks(sql: Sql, tenantId: string, patientIds: readonly string[]): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    'SELECT patient_id::text AS id FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = ANY ($2::uuid[]) AND NOT deleted',
    [tenantId, [...patientIds]],
  );
  return new Set(rows.map((row) => row.id));
}

/** The identifiers the source gave, recorded for this org (visible to it only), as patients.identifiers.add does. */
async function recordIdentifiers(sql: Sql, tenantId: string, rows: readonly { patientId: string; system: string; value: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.execute(
    `INSERT INTO master_data.patient_identifiers (tenant_id, patient_id, system, value)
     SELECT $1, x."patientId", x.system, x.value FROM jsonb_to_recordset($2::jsonb) AS x ("patientId" uuid, system text, value text)
     ON CONFLICT (tenant_id, patient_id, system, value) DO NOTHING`,
    [tenantId, JSON.stringify(rows)],
  );
}

/** Source patient keys ("Patient/<id>") → the org's live patient ids, for the appointments of an import. */
export async function resolvePatientKeys(run: ImportRun, keys: readonly string[]): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await run.targets.masterData.withTenant(run.tenantId, (sql) =>
    sql.query<{ key: string; id: string }>(
      `SELECT k.source_key AS key, k.patient_id::text AS id FROM master_data.import_keys k
       JOIN master_data.tenant_patients tp ON tp.tenant_id = k.tenant_id AND tp.patient_id = k.patient_id AND NOT tp.deleted
       WHERE k.tenant_id = $1 AND k.source_key = ANY ($2::text[])`,
      [run.tenantId, [...keys]],
    ),
  );
  return new Map(rows.map((row) => [row.key, row.id]));
}
