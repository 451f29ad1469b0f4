import type { DomainDb } from '../../db/domain-db.ts';
import { PatientDirectory } from './patient-directory.ts';
import { PatientIdentifiers } from './patient-identifiers.ts';
import { PatientLinking, type PatientLinkingDeps } from './patient-linking.ts';

/** master_data as the desk procedures (patients.*) use it; sync goes through PatientService. */
export interface PatientRegistry {
  directory: PatientDirectory;
  identifiers: PatientIdentifiers;
  linking: PatientLinking;
}

export function createPatientRegistry(db: DomainDb, deps: PatientLinkingDeps): PatientRegistry {
  return { directory: new PatientDirectory(db), identifiers: new PatientIdentifiers(db), linking: new PatientLinking(db, deps) };
}
