import { z } from 'zod';

/**
 * A patient as one org sees it: the core identity (owned by the patient, stored above the
 * org in master_data) plus the org's own link to it (its MRN). Field names are the wire
 * names; both the server and the store map them to columns.
 */
const name = z.string().trim().min(1, 'is required').max(100, 'is too long');
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)').refine(
  (value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value),
  'must be a real calendar date',
);

export const patientFieldsSchema = z.object({
  givenName: name,
  familyName: name,
  birthDate: isoDate.refine((value) => value <= new Date().toISOString().slice(0, 10), 'cannot be in the future'),
  sex: z.enum(['female', 'male', 'other', 'unknown']),
  phone: z.string().trim().max(40, 'is too long').regex(/^[0-9+()\-. ]*$/, 'may hold digits, spaces and + ( ) - . only'),
  mrn: z.string().trim().max(40, 'is too long').regex(/^[A-Za-z0-9-]*$/, 'may hold letters, digits and - only'),
});

export type PatientFields = z.infer<typeof patientFieldsSchema>;

/** Core identity fields live in master_data.patients; the rest in the org's link row. */
export const PATIENT_CORE_FIELDS = ['givenName', 'familyName', 'birthDate', 'sex', 'phone'] as const satisfies readonly (keyof PatientFields)[];
export const PATIENT_LINK_FIELDS = ['mrn'] as const satisfies readonly (keyof PatientFields)[];
