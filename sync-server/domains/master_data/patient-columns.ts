import { columnsOf } from '../../../shared/entities/columns.ts';
import { PATIENT_CORE_FIELDS, type PatientFields } from '../../../shared/entities/patient.ts';

/** Wire field -> column of master_data.patients (core identity, shared by linked orgs). */
export const CORE_COLUMNS = columnsOf(PATIENT_CORE_FIELDS);

export type CoreField = keyof typeof CORE_COLUMNS;

/** SELECT list giving the core fields under their wire names. */
export const CORE_SELECT = `p.given_name AS "givenName", p.family_name AS "familyName", p.birth_date::text AS "birthDate",
  p.sex, p.phone, p.field_hlc AS "coreHlc", p.version AS "coreVersion"`;

export function splitPatientFields(fields: Partial<PatientFields>): { core: Partial<Record<CoreField, string>>; link: { mrn?: string } } {
  const core: Partial<Record<CoreField, string>> = {};
  for (const field of PATIENT_CORE_FIELDS) {
    const value = fields[field];
    if (value !== undefined) core[field] = value;
  }
  return { core, link: fields.mrn !== undefined ? { mrn: fields.mrn } : {} };
}
