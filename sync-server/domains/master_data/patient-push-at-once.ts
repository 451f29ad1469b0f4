import type { Mutation } from '../../../shared/sync/mutation.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import { fullPatient, newPatientRows, type FullPatient } from './new-patient-rows.ts';

/** What create_pushed_patients raises when the plain case does not hold after all (a replay, an id taken): nothing was written. */
const NOT_PLAIN = 'CS409';

/** One text whatever the batch, so PostgreSQL prepares it once per connection (statement-names.ts). */
const CREATE_PUSHED_PATIENTS_SQL = 'SELECT master_data.create_pushed_patients($1, $2, $3::jsonb) AS created';

/**
 * A push's patients in ONE statement when they are all new (sync/outcome.ts, AtOnce): a
 * desk registering a patient is the commonest push there is, and as a tenant transaction
 * it cost seven round trips (master_data migration 006 says what the function does, and
 * when it declines). Returns true if every mutation was applied; false if nothing was
 * written and push.ts must take the ordinary path: not every mutation a full patient with
 * an id and mutation id of its own, or the function found a link, a replay or a taken id.
 */
export async function createPushedPatients(db: DomainDb, tenantId: string, deviceId: string, mutations: readonly Mutation[]): Promise<boolean> {
  const patients: FullPatient[] = [];
  const ids = new Set<string>();
  const mutationIds = new Set<string>();
  for (const mutation of mutations) {
    const patient = fullPatient(mutation);
    if (!patient || ids.has(mutation.id) || mutationIds.has(mutation.mutationId)) return false;
    ids.add(mutation.id);
    mutationIds.add(mutation.mutationId);
    patients.push(patient);
  }
  if (patients.length === 0) return false;
  try {
    const [row] = await db.appStatement<{ created: boolean }>(tenantId, CREATE_PUSHED_PATIENTS_SQL, [tenantId, deviceId, newPatientRows(patients)]);
    return row?.created === true;
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_PLAIN) return false;
    throw error;
  }
}
