import { PATIENT_CORE_FIELDS, type PatientFields } from '../../../shared/entities/patient.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import { FeedWriter } from '../../sync/feed-writer.ts';
import { stampAll } from '../../sync/lww.ts';

/**
 * Creates many new patients for one org in one transaction (demo seed, imports): core
 * rows, link rows and feed rows, each as a single set-based INSERT from a JSON array,
 * through the same tables and feed devices pull from.
 */
export async function bulkCreatePatients(db: DomainDb, tenantId: string, patients: readonly (PatientFields & { id: string })[], hlc: Hlc): Promise<void> {
  if (patients.length === 0) return;
  await db.withTenant(tenantId, async (sql) => {
    const feed = new FeedWriter('master_data', tenantId);
    await insertNewPatients(sql, feed, tenantId, patients, hlc);
    await feed.flush(sql);
  });
}

/** The inserts of bulkCreatePatients inside the caller's tenant transaction; the caller flushes the feed. */
export async function insertNewPatients(sql: Sql, feed: FeedWriter, tenantId: string, patients: readonly (PatientFields & { id: string })[], hlc: Hlc): Promise<void> {
  if (patients.length === 0) return;
  const coreHlc = JSON.stringify(stampAll(PATIENT_CORE_FIELDS, hlc));
  const linkHlc = JSON.stringify({ mrn: hlc });
  const rows = JSON.stringify(patients);
  await sql.execute(
    `INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone, field_hlc)
     SELECT x.id, x."givenName", x."familyName", x."birthDate"::date, x.sex, x.phone, $2::jsonb
     FROM jsonb_to_recordset($1::jsonb) AS x (id uuid, "givenName" text, "familyName" text, "birthDate" text, sex text, phone text)`,
    [rows, coreHlc],
  );
  await sql.execute(
    `INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc)
     SELECT $1, x.id, x.mrn, $3::jsonb FROM jsonb_to_recordset($2::jsonb) AS x (id uuid, mrn text)`,
    [tenantId, rows, linkHlc],
  );
  for (const patient of patients) feed.touch('patient', patient.id);
}
