import type { PatientFields } from '../../shared/entities/patient.ts';
import type { AppointmentFields } from '../../shared/entities/appointment.ts';
import type { Db } from './db.ts';

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

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Front-desk search on the local store: every word must prefix a given or family name;
 * or the whole term is a birth date (YYYY-MM-DD), an MRN, or a phone number (digits only
 * are compared, so "(555) 01-23" finds "555-0123").
 */
export function listPatients(db: Db, options: { search?: string | undefined; limit?: number | undefined } = {}): PatientRow[] {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const term = (options.search ?? '').trim();
  const where: string[] = [];
  const params: Record<string, string | number> = { limit };
  if (term) {
    const alternatives: string[] = [];
    const words = term.split(/\s+/).slice(0, 5);
    alternatives.push(
      `(${words
        .map((word, i) => {
          params[`w${i}`] = `${escapeLike(word)}%`;
          return `(p.given_name LIKE @w${i} ESCAPE '\\' OR p.family_name LIKE @w${i} ESCAPE '\\')`;
        })
        .join(' AND ')})`,
    );
    if (/^\d{4}-\d{2}-\d{2}$/.test(term)) {
      params['date'] = term;
      alternatives.push('p.birth_date = @date');
    }
    params['mrn'] = term;
    alternatives.push('p.mrn = @mrn COLLATE NOCASE');
    const digits = term.replace(/\D/g, '');
    if (digits.length >= 4 && /^[0-9+()\-. ]+$/.test(term)) {
      params['digits'] = digits;
      alternatives.push(`digits_only(p.phone) = @digits`);
    }
    where.push(`(${alternatives.join(' OR ')})`);
  }
  const rows = db
    .prepare<[Record<string, string | number>], Record<string, string | number>>(
      `SELECT p.*, ${PENDING('patient', 'p')} AS pending FROM patients p
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, p.id LIMIT @limit`,
    )
    .all(params);
  return rows.map((row) => ({
    id: String(row['id']),
    givenName: String(row['given_name']),
    familyName: String(row['family_name']),
    birthDate: String(row['birth_date']),
    sex: String(row['sex']) as PatientFields['sex'],
    phone: String(row['phone']),
    mrn: String(row['mrn']),
    pending: row['pending'] === 1,
  }));
}

export function listAppointments(db: Db): AppointmentRow[] {
  const rows = db
    .prepare<[], Record<string, string | number | null>>(
      `SELECT a.*, p.given_name, p.family_name, ${PENDING('appointment', 'a')} AS pending
       FROM appointments a LEFT JOIN patients p ON p.id = a.patient_id
       ORDER BY a.starts_at_ms, a.id`,
    )
    .all();
  return rows.map((row) => ({
    id: String(row['id']),
    patientId: String(row['patient_id']),
    patientName: row['given_name'] === null ? '' : `${String(row['given_name'])} ${String(row['family_name'])}`,
    startsAt: String(row['starts_at']),
    endsAt: String(row['ends_at']),
    status: String(row['status']) as AppointmentFields['status'],
    reason: String(row['reason']),
    practitionerName: String(row['practitioner_name']),
    location: String(row['location']),
    pending: row['pending'] === 1,
  }));
}

/** Registered on every connection: SQL functions the queries above use. */
export function registerQueryFunctions(db: Db): void {
  db.function('digits_only', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.replace(/\D/g, '') : null));
}
