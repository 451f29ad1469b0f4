import type { Mutation } from '../../../shared/sync/mutation.ts';
import { APPLIED, type ApplyContext, type Outcome } from '../../sync/outcome.ts';
import { fullPatient, newPatientRows, type FullPatient } from './new-patient-rows.ts';

/**
 * The batch fast path of patient sync (sync/outcome.ts BatchApplier): new patients, as a
 * desk replays them after working offline, in four statements for the whole batch instead
 * of five each. It takes only full creates of ids the org has no link to, and answers them
 * exactly as PatientService.create would; everything else (edits, deletes, ids already
 * linked) is left to the one-by-one path.
 *
 * An id that is already another org's patient must be answered "not found" without saying
 * so, as the one-by-one path does with its savepoint. That is rare (ids are UUIDv7 made by
 * the device), so the whole insert runs under a savepoint and, on a unique violation, is
 * rolled back and handed to the one-by-one path instead, which singles the id out.
 */
export async function createNewPatients(ctx: ApplyContext, mutations: readonly Mutation[]): Promise<Map<string, Outcome>> {
  const creates = mutations.map(fullPatient).filter((patient): patient is FullPatient => patient !== null);
  const answered = new Map<string, Outcome>();
  if (creates.length < 2) return answered;

  const linked = await ctx.sql.query<{ id: string }>(
    'SELECT patient_id::text AS id FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = ANY ($2::uuid[])',
    [ctx.tenantId, creates.map(({ mutation }) => mutation.id)],
  );
  const known = new Set(linked.map((row) => row.id));
  const fresh = creates.filter(({ mutation }) => !known.has(mutation.id));
  if (fresh.length < 2) return answered;

  const rows = newPatientRows(fresh);
  await ctx.sql.execute('SAVEPOINT patient_batch_create');
  try {
    await ctx.sql.execute(
      `INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone, field_hlc)
       SELECT x.id, x."givenName", x."familyName", x."birthDate"::date, x.sex, x.phone, x."coreHlc"
       FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, "givenName" text, "familyName" text, "birthDate" text, sex text, phone text, "coreHlc" jsonb)`,
      [rows],
    );
  } catch (error) {
    if ((error as { code?: unknown }).code !== '23505') throw error;
    await ctx.sql.execute('ROLLBACK TO SAVEPOINT patient_batch_create');
    return answered;
  }
  await ctx.sql.execute('RELEASE SAVEPOINT patient_batch_create');
  await ctx.sql.execute(
    `INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc)
     SELECT $1, x.id, x.mrn, x."linkHlc" FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, mrn text, "linkHlc" jsonb)`,
    [ctx.tenantId, rows],
  );
  for (const { mutation } of fresh) {
    ctx.feed.touch('patient', mutation.id);
    answered.set(mutation.mutationId, APPLIED);
  }
  return answered;
}
