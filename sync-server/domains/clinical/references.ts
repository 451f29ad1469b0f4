import { AppError } from '../../../shared/errors.ts';

/**
 * What clinical asks other domains about ids it is handed, through their services and
 * never by a cross-database query. Each answers for one org only, so another org's id is
 * indistinguishable from an id that does not exist.
 */
export interface ClinicalReferences {
  /** master_data: which of these ids are patients linked to the org. */
  linkedPatients(tenantId: string, patientIds: readonly string[]): Promise<Set<string>>;
  /** personnel: is this an active practitioner of the org. */
  practitionerExists(tenantId: string, practitionerId: string): Promise<boolean>;
  /** scheduling: one appointment of the org; throws NOT_FOUND if the org has none with this id. */
  appointment(tenantId: string, appointmentId: string): Promise<{ patientId: string }>;
}

export const patientNotFound = () => new AppError('NOT_FOUND', 'No such patient in this organization.');

/** Asked before the clinical transaction opens (another database). */
export async function assertPatientLinked(refs: Pick<ClinicalReferences, 'linkedPatients'>, tenantId: string, patientId: string): Promise<void> {
  const linked = await refs.linkedPatients(tenantId, [patientId]);
  if (!linked.has(patientId)) throw patientNotFound();
}
