import { patientFieldsSchema, type PatientFields } from '../../../shared/entities/patient.ts';
import { fieldErrors } from '../ui/zod-errors.ts';

export type PatientFormValues = Record<keyof PatientFields, string>;
export type PatientFormErrors = Partial<Record<keyof PatientFields, string>>;

export const PATIENT_LABELS: Record<keyof PatientFields, string> = {
  givenName: 'Given name',
  familyName: 'Family name',
  birthDate: 'Date of birth',
  sex: 'Sex',
  phone: 'Phone',
  mrn: 'MRN',
};

export const SEX_OPTIONS = [
  { value: 'female', label: 'Female' },
  { value: 'male', label: 'Male' },
  { value: 'other', label: 'Other' },
  { value: 'unknown', label: 'Unknown' },
] as const;

export const EMPTY_PATIENT: PatientFormValues = { givenName: '', familyName: '', birthDate: '', sex: '', phone: '', mrn: '' };

/** Client-side check with the same schema the server uses. */
export function validatePatient(values: PatientFormValues): { ok: true; fields: PatientFields } | { ok: false; errors: PatientFormErrors } {
  const parsed = patientFieldsSchema.safeParse(values);
  if (parsed.success) return { ok: true, fields: parsed.data };
  const errors = fieldErrors(parsed.error, PATIENT_LABELS);
  // An empty date input reads better as "required" than as a format complaint.
  if (!values.birthDate.trim() && errors.birthDate) errors.birthDate = `${PATIENT_LABELS.birthDate} is required`;
  return { ok: false, errors };
}
