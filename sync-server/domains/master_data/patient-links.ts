import type { Hlc } from '../../../shared/hlc.ts';
import type { Sql } from '../../db/sql.ts';
import type { FeedWriter } from '../../sync/feed-writer.ts';

/**
 * Creates, or revives, the org's link to an existing patient identity with the org's own
 * MRN, and moves the patient to the head of the org's feed so its workstations pull it.
 * Used by the admin link and by the strong-evidence link procedures.
 */
export async function writeLink(sql: Sql, feed: FeedWriter, tenantId: string, patientId: string, mrn: string, hlc: Hlc): Promise<void> {
  await sql.execute(
    `INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn, field_hlc) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (tenant_id, patient_id) DO UPDATE
       SET deleted = false, mrn = EXCLUDED.mrn, field_hlc = EXCLUDED.field_hlc,
           version = master_data.tenant_patients.version + 1, updated_at = now()`,
    [tenantId, patientId, mrn, JSON.stringify({ mrn: hlc })],
  );
  feed.touch('patient', patientId);
}
