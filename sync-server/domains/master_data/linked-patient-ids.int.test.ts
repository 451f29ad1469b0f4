import { describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { testEngines } from '../../testing/engines.ts';
import { useFreshDatabases } from '../../testing/fresh-databases.ts';
import { newPatientMutation } from '../../testing/harness.ts';
import { createPushedPatients } from './patient-push-at-once.ts';
import { PatientService } from './patients.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/master_data/linked-patient-ids (PostgreSQL)'), testPostgresUrl());

/**
 * PatientService.linkedIds in one statement (master_data.linked_patient_ids, migration
 * 007): what scheduling relies on to refuse an appointment for a patient the org does not
 * have. Only the org's own live links answer; another org's patients, removed links and
 * unknown ids do not; and it will not run inside another org's transaction.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`linked patient ids in one statement (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    const newPatient = (mrn: string): Mutation => newPatientMutation(mrn, 'dev-l');

    it("answers the org's live links only", async () => {
      const db = dbs().domains.master_data;
      const patients = new PatientService(db);
      const [orgA, orgB, device] = [uuidv7(), uuidv7(), uuidv7()];
      const [kept, removed, theirs] = [newPatient('A-1'), newPatient('A-2'), newPatient('B-1')];
      expect(await createPushedPatients(db, orgA, device, [kept, removed])).toBe(true);
      expect(await createPushedPatients(db, orgB, device, [theirs])).toBe(true);
      await db.withTenant(orgA, (sql) => sql.execute('UPDATE master_data.tenant_patients SET deleted = true WHERE tenant_id = $1 AND patient_id = $2', [orgA, removed.id]));
      const unknown = uuidv7();
      expect(await patients.linkedIds(orgA, [kept.id, removed.id, theirs.id, unknown])).toEqual(new Set([kept.id]));
      expect(await patients.linkedIds(orgB, [kept.id, removed.id, theirs.id, unknown])).toEqual(new Set([theirs.id]));
      expect(await patients.linkedIds(orgA, [])).toEqual(new Set());
    });

    it("refuses to run inside another org's transaction", async () => {
      const db = dbs().domains.master_data;
      const [orgA, orgB] = [uuidv7(), uuidv7()];
      await expect(
        db.withTenant(orgB, (sql) => sql.query('SELECT id FROM master_data.linked_patient_ids($1, $2::uuid[])', [orgA, [uuidv7()]])),
      ).rejects.toThrow(/another org's tenant context/);
    });
  });
}
