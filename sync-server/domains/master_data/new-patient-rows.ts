import { PATIENT_CORE_FIELDS, patientFieldsSchema, type PatientFields } from '../../../shared/entities/patient.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { stampAll } from '../../sync/lww.ts';

/** A pushed patient upsert that carries every field: a create, if the org has no link to its id. */
export interface FullPatient {
  mutation: Mutation;
  fields: PatientFields;
}

/** The mutation as a full patient, or null (another entity, a delete, or fields missing or not valid). */
export function fullPatient(mutation: Mutation): FullPatient | null {
  if (mutation.entity !== 'patient' || mutation.op !== 'upsert') return null;
  const parsed = patientFieldsSchema.safeParse(mutation.fields);
  return parsed.success ? { mutation, fields: parsed.data } : null;
}

/**
 * New patients as the set-based inserts read them (jsonb_to_recordset): each one's fields,
 * its id and mutation id, and the clocks a create stamps, every core field and the MRN at
 * the mutation's HLC (as PatientService.create stamps them one by one).
 */
export function newPatientRows(patients: readonly FullPatient[]): string {
  return JSON.stringify(
    patients.map(({ mutation, fields }) => ({
      ...fields,
      id: mutation.id,
      mutationId: mutation.mutationId,
      coreHlc: stampAll(PATIENT_CORE_FIELDS, mutation.hlc),
      linkHlc: { mrn: mutation.hlc },
    })),
  );
}
