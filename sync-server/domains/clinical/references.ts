import type { EncounterFields } from '../../../shared/entities/encounter.ts';
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

type EncounterRefs = Pick<EncounterFields, 'patientId' | 'practitionerId' | 'appointmentId'>;

/** What the other domains said about the ids some encounters name, gathered before the transaction opens. */
export interface EncounterReferenceFacts {
  linkedPatients: Set<string>;
  practitioners: Set<string>;
  /** appointment id -> its patient, for the org's appointments only. */
  appointmentPatients: Map<string, string>;
}

export async function gatherEncounterFacts(refs: ClinicalReferences, tenantId: string, encounters: readonly Partial<EncounterRefs>[]): Promise<EncounterReferenceFacts> {
  const distinct = (key: keyof EncounterRefs) => [...new Set(encounters.map((e) => e[key]).filter((id): id is string => typeof id === 'string'))];
  const practitioners = new Set<string>();
  for (const id of distinct('practitionerId')) if (await refs.practitionerExists(tenantId, id)) practitioners.add(id);
  const appointmentPatients = new Map<string, string>();
  for (const id of distinct('appointmentId')) {
    try {
      appointmentPatients.set(id, (await refs.appointment(tenantId, id)).patientId);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
    }
  }
  return { linkedPatients: await refs.linkedPatients(tenantId, distinct('patientId')), practitioners, appointmentPatients };
}

/**
 * The reference rules of an encounter: its patient is linked to the org, its practitioner
 * is the org's, its appointment is the org's and this patient's. `which` names the
 * references to check (all on create; the changed ones on an edit).
 */
export function encounterReferenceRefusal(facts: EncounterReferenceFacts, e: EncounterRefs, which: readonly string[] = ['patientId', 'practitionerId', 'appointmentId']): AppError | null {
  if (which.includes('patientId') && !facts.linkedPatients.has(e.patientId)) return patientNotFound();
  if (which.includes('practitionerId') && e.practitionerId !== null && !facts.practitioners.has(e.practitionerId)) {
    return new AppError('NOT_FOUND', 'No such practitioner in this organization.');
  }
  const appointmentMatters = which.includes('appointmentId') || which.includes('patientId');
  if (appointmentMatters && e.appointmentId !== null && facts.appointmentPatients.get(e.appointmentId) !== e.patientId) {
    return new AppError('NOT_FOUND', 'No such appointment for this patient in this organization.');
  }
  return null;
}
