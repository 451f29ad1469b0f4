import type { PatientFields } from '../../shared/entities/patient.ts';
import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import type { Db } from './db.ts';
import { patientSearchQuery, searchKey } from './patient-search.ts';
import { prepared } from './prepared.ts';

export interface PatientRow extends PatientFields {
  id: string;
  pending: boolean;
}

export interface AppointmentRow extends AppointmentFields {
  id: string;
  patientName: string;
  pending: boolean;
}

const PENDING = (entity: string, alias: string) =>
  `EXISTS (SELECT 1 FROM outbox o WHERE o.entity = '${entity}' AND o.entity_id = ${alias}.id AND o.status = 'pending')`;

/**
 * Front-desk search on the local store, through the patient_search index (the rules are in
 * patient-search.ts): every word must prefix a name, the MRN, the phone digits or the birth
 * date; an exact MRN ranks first, then by family and given name. Without a search, every
 * patient by name. The ranking and the limit come from the index alone, so only the
 * returned patients' rows are read.
 */
/**
 * How many matches a search ranks by name. FTS5 hands matches over in rowid order and can
 * stop early, but ranking ALL of them by name means reading every one: "5", "mrn" or "19"
 * match every patient of a 50k clinic, and reading 50k matches took 15–30 ms of a keystroke's
 * 30 ms. So a search ranks at most the first BROAD_SEARCH_CAP matches found, plus the patient
 * whose MRN it names exactly; a narrower search (fewer matches, the usual case once a name
 * or number is half typed) is ranked whole, exactly as before. The screen says so when a
 * search fills the page ("keep typing to narrow it").
 */
const BROAD_SEARCH_CAP = 1000;
/**
 * A single character ("m", "5") narrows nothing: it matches most of a clinic (every MRN
 * starts with "m"), so whichever cap applies, the page shows an arbitrary slice of the
 * matches sorted by name and asks for more typing. It is also the keystroke that lands on
 * a freshly opened screen, so its cost is kept to ranking ten pages' worth of matches.
 */
const SINGLE_CHARACTER_PAGES = 10;

/** How many matches a search ranks (see BROAD_SEARCH_CAP); never fewer than the page asked for. */
export function searchCap(search: string, limit: number): number {
  const cap = searchKey(search).length <= 1 ? Math.min(SINGLE_CHARACTER_PAGES * limit, BROAD_SEARCH_CAP) : BROAD_SEARCH_CAP;
  return Math.max(cap, limit);
}

const SEARCH_SQL = `
  WITH found AS (SELECT rowid FROM patient_search WHERE patient_search MATCH @match LIMIT @cap),
  hit AS (
    SELECT r.patient_id, r.sort_name, r.mrn_key = @mrnKey AS exact FROM found f JOIN patient_search_rows r ON r.rowid = f.rowid
    UNION
    -- The exact MRN, found by its index even when the cap left it out (if it matches at all).
    SELECT r.patient_id, r.sort_name, 1 FROM patient_search_rows r
    WHERE r.mrn_key = @mrnKey AND EXISTS (SELECT 1 FROM patient_search s WHERE patient_search MATCH @match AND s.rowid = r.rowid)
  ),
  ranked AS (SELECT * FROM hit ORDER BY exact DESC, sort_name, patient_id LIMIT @limit)
  SELECT p.*, ${PENDING('patient', 'p')} AS pending
  FROM ranked JOIN patients p ON p.id = ranked.patient_id
  ORDER BY ranked.exact DESC, ranked.sort_name, ranked.patient_id`;

export function listPatients(db: Db, options: { search?: string | undefined; limit?: number | undefined } = {}): PatientRow[] {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const search = (options.search ?? '').trim();
  let rows: Record<string, string | number>[];
  if (search === '') {
    rows = prepared<[{ limit: number }], Record<string, string | number>>(
      db,
      `SELECT p.*, ${PENDING('patient', 'p')} AS pending FROM patients p
       ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, p.id LIMIT @limit`,
    ).all({ limit });
  } else {
    const query = patientSearchQuery(search);
    if (!query) return [];
    rows = prepared<[{ limit: number; cap: number; match: string; mrnKey: string }], Record<string, string | number>>(db, SEARCH_SQL).all({
      limit,
      cap: searchCap(search, limit),
      match: query.match,
      mrnKey: query.mrnKey,
    });
  }
  return rows.map(patientRowOf);
}

/** A patients row (with its computed `pending` column) as the list shows it. */
export function patientRowOf(row: Record<string, string | number>): PatientRow {
  return {
    id: String(row['id']),
    givenName: String(row['given_name']),
    familyName: String(row['family_name']),
    birthDate: String(row['birth_date']),
    sex: String(row['sex']) as PatientFields['sex'],
    phone: String(row['phone']),
    mrn: String(row['mrn']),
    pending: row['pending'] === 1,
  };
}

export function listAppointments(db: Db): AppointmentRow[] {
  const rows = db
    .prepare<[], Record<string, string | number | null>>(
      `SELECT a.*, p.given_name, p.family_name, ${PENDING('appointment', 'a')} AS pending
       FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id
       ORDER BY a.starts_at_ms, a.id`,
    )
    .all();
  return rows.map((row) => ({ ...appointmentOf(row), pending: row['pending'] === 1 }));
}

/** An appointments row joined to its patient's names (null when the patient is not on this workstation). */
export function appointmentOf(row: Record<string, string | number | null>): Omit<AppointmentRow, 'pending'> {
  return {
    id: String(row['id']),
    patientId: String(row['patient_id']),
    patientName: row['given_name'] === null ? '' : `${String(row['given_name'])} ${String(row['family_name'])}`,
    startsAt: String(row['starts_at']),
    endsAt: String(row['ends_at']),
    status: String(row['status']) as AppointmentFields['status'],
    reason: String(row['reason']),
    practitionerName: String(row['practitioner_name']),
    location: String(row['location']),
  };
}

