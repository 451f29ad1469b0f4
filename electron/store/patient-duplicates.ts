import type { PatientFields } from '../../shared/entities/patient.ts';
import type { Db } from './db.ts';
import { searchKey } from './patient-search.ts';
import { prepared } from './prepared.ts';
import { patientRowOf, type PatientRow } from './queries.ts';

/**
 * Likely duplicates of a patient about to be registered in this org, from the local store.
 * A desk that registers the same person twice splits their chart, so the form asks this
 * first and shows what it finds. Three kinds of evidence, strongest first:
 *  - 'mrn': the same MRN (case and punctuation ignored: "ns-12" = "NS 12");
 *  - 'name_birth_date': the same birth date and a similar name: case and accents ignored,
 *    given and family possibly swapped, one typo (two in long names), or one name a
 *    shortened form of the other ("Jon" / "Jonathan");
 *  - 'phone_birth_date': the same birth date and the same phone digits (with or without the
 *    country code).
 * Only the birth-date index and the MRN key are read, so this stays fast on a big store.
 */
export type DuplicateReason = 'mrn' | 'name_birth_date' | 'phone_birth_date';

export interface DuplicateCandidate {
  patient: PatientRow;
  reasons: DuplicateReason[];
}

export type DuplicateQuery = Pick<PatientFields, 'givenName' | 'familyName' | 'birthDate'> & Partial<Pick<PatientFields, 'phone' | 'mrn'>>;

const MAX_CANDIDATES = 10;
const REASON_ORDER: readonly DuplicateReason[] = ['mrn', 'name_birth_date', 'phone_birth_date'];

export function findDuplicatePatients(db: Db, query: DuplicateQuery): DuplicateCandidate[] {
  const found = new Map<string, Set<DuplicateReason>>();
  const add = (id: string, reason: DuplicateReason) => (found.get(id) ?? found.set(id, new Set()).get(id)!).add(reason);

  const mrnKey = searchKey(query.mrn ?? '');
  if (mrnKey !== '') {
    const rows = prepared<[{ mrnKey: string }], { patient_id: string }>(db, `SELECT patient_id FROM patient_search_rows WHERE mrn_key = @mrnKey LIMIT 20`).all({ mrnKey });
    for (const row of rows) add(row.patient_id, 'mrn');
  }

  const sameDay = prepared<[{ birthDate: string }], { id: string; given_name: string; family_name: string; phone: string }>(
    db,
    `SELECT id, given_name, family_name, phone FROM patients WHERE birth_date = @birthDate LIMIT 500`,
  ).all({ birthDate: query.birthDate });
  const phone = phoneDigits(query.phone ?? '');
  for (const row of sameDay) {
    if (similarPerson(query, { givenName: row.given_name, familyName: row.family_name })) add(row.id, 'name_birth_date');
    if (phone.length >= 5 && samePhone(phone, phoneDigits(row.phone))) add(row.id, 'phone_birth_date');
  }

  const ranked = [...found.entries()]
    .map(([id, reasons]) => ({ id, reasons: REASON_ORDER.filter((reason) => reasons.has(reason)) }))
    .sort((a, b) => b.reasons.length - a.reasons.length || REASON_ORDER.indexOf(a.reasons[0]!) - REASON_ORDER.indexOf(b.reasons[0]!))
    .slice(0, MAX_CANDIDATES);
  return ranked.flatMap(({ id, reasons }) => {
    const patient = patientRowById(db, id);
    return patient ? [{ patient, reasons }] : [];
  });
}

/** One patient as the list shows it (with its pending flag), or undefined when not on this workstation. */
export function patientRowById(db: Db, id: string): PatientRow | undefined {
  const row = prepared<[{ id: string }], Record<string, string | number>>(
    db,
    `SELECT p.*, EXISTS (SELECT 1 FROM outbox o WHERE o.entity = 'patient' AND o.entity_id = p.id AND o.status = 'pending') AS pending
     FROM patients p WHERE p.id = @id`,
  ).get({ id });
  return row ? patientRowOf(row) : undefined;
}

type Names = { givenName: string; familyName: string };

/** Same person by name: both names similar, in the same order or given/family swapped. */
export function similarPerson(a: Names, b: Names): boolean {
  const [ag, af, bg, bf] = [nameKey(a.givenName), nameKey(a.familyName), nameKey(b.givenName), nameKey(b.familyName)];
  return (similarName(ag, bg) && similarName(af, bf)) || (similarName(ag, bf) && similarName(af, bg));
}

/** Letters only, lower case, accents removed: "Émile-Durand" and "emile durand" are one key. */
export function nameKey(name: string): string {
  return searchKey(name).replace(/\p{N}/gu, '');
}

function similarName(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  // A shortened form: "Jon" for "Jonathan", "Liz" is not caught (that needs a nickname list).
  if (Math.min(a.length, b.length) >= 3 && (a.startsWith(b) || b.startsWith(a))) return true;
  const allowed = Math.max(a.length, b.length) >= 7 ? 2 : 1;
  return Math.abs(a.length - b.length) <= allowed && editDistance(a, b) <= allowed;
}

/** Damerau–Levenshtein (optimal string alignment): a swapped pair of letters is one typo. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

const phoneDigits = (phone: string) => phone.replace(/\D/g, '');

/** Equal digits, or one number is the other with a country code in front (7+ digits in common). */
function samePhone(a: string, b: string): boolean {
  if (a === '' || b === '') return false;
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 7 && long.length - short.length <= 3 && long.endsWith(short);
}
