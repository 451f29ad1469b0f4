import type { IdentifierSystem } from '../../../shared/api/patients.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Sql } from '../../db/sql.ts';

/** A patient as the org sees it through its own live link: core identity plus the org's MRN. */
export interface PatientView {
  id: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  sex: string;
  phone: string;
  mrn: string;
}

export interface PatientIdentifier {
  system: IdentifierSystem;
  value: string;
}

/** get() adds the identifiers this org recorded (never another org's). */
export interface PatientDetail extends PatientView {
  identifiers: PatientIdentifier[];
}

/** One answer for unknown, unlinked, removed, or another org's patient: nothing can be told apart. */
export const patientNotFound = () => new AppError('NOT_FOUND', 'No such patient in this organization.');

/** SELECT list and FROM of the org's live patients; the caller adds `$1` = tenant id. */
export const PATIENT_VIEW_SELECT = `p.id::text AS id, p.given_name AS "givenName", p.family_name AS "familyName",
  p.birth_date::text AS "birthDate", p.sex, p.phone, tp.mrn`;
export const LINKED_PATIENTS_FROM = `master_data.tenant_patients tp JOIN master_data.patients p ON p.id = tp.patient_id
  WHERE tp.tenant_id = $1 AND NOT tp.deleted`;

/** The patient with its org-own identifiers, or null if the org has no live link to it. */
export async function readPatientDetail(sql: Sql, tenantId: string, patientId: string): Promise<PatientDetail | null> {
  const rows = await sql.query<PatientView>(`SELECT ${PATIENT_VIEW_SELECT} FROM ${LINKED_PATIENTS_FROM} AND tp.patient_id = $2`, [tenantId, patientId]);
  const patient = rows[0];
  if (!patient) return null;
  const identifiers = await sql.query<PatientIdentifier>(
    `SELECT system, value FROM master_data.patient_identifiers WHERE tenant_id = $1 AND patient_id = $2 ORDER BY system, value`,
    [tenantId, patientId],
  );
  return { ...patient, identifiers };
}

/** True if the org has a live link to the patient; locks the link row for the rest of the transaction. */
export async function lockLiveLink(sql: Sql, tenantId: string, patientId: string): Promise<boolean> {
  const rows = await sql.query(
    'SELECT 1 FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = $2 AND NOT deleted FOR UPDATE',
    [tenantId, patientId],
  );
  return rows.length > 0;
}
