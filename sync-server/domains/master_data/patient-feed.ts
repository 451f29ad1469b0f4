import type { Hlc } from '../../../shared/hlc.ts';
import type { Change } from '../../../shared/sync/pull.ts';
import type { Sql } from '../../db/sql.ts';
import { CORE_SELECT } from './patient-columns.ts';

interface FeedRow {
  seq: string;
  id: string;
  givenName: string | null;
  familyName: string | null;
  birthDate: string | null;
  sex: string | null;
  phone: string | null;
  coreHlc: Record<string, Hlc> | null;
  coreVersion: number | null;
  mrn: string | null;
  linkHlc: Record<string, Hlc> | null;
  linkVersion: number | null;
  deleted: boolean | null;
}

/**
 * The org's patient feed. The core row joins in only while the org's link is live (the
 * patients policy), so an unlinked patient reads as a delete. The version an org sees is
 * core version + link version: both only grow, so their sum does too.
 */
export async function readPatientChanges(sql: Sql, tenantId: string, cursor: string, limit: number): Promise<Change[]> {
  const rows = await sql.query<FeedRow>(
    `SELECT c.seq::text AS seq, c.entity_id::text AS id, ${CORE_SELECT},
            tp.mrn, tp.field_hlc AS "linkHlc", tp.version AS "linkVersion", tp.deleted
     FROM master_data.changes c
     LEFT JOIN master_data.tenant_patients tp ON tp.tenant_id = c.tenant_id AND tp.patient_id = c.entity_id
     LEFT JOIN master_data.patients p ON p.id = c.entity_id
     WHERE c.tenant_id = $1 AND c.entity = 'patient' AND c.seq > $2::bigint
     ORDER BY c.seq LIMIT $3`,
    [tenantId, cursor, limit],
  );
  return rows.map((row): Change => {
    const linkVersion = row.linkVersion ?? 0;
    if (row.deleted !== false || row.givenName === null) {
      return { seq: row.seq, entity: 'patient', id: row.id, op: 'delete', fields: null, fieldHlc: {}, version: linkVersion };
    }
    return {
      seq: row.seq,
      entity: 'patient',
      id: row.id,
      op: 'upsert',
      fields: {
        givenName: row.givenName,
        familyName: row.familyName,
        birthDate: row.birthDate,
        sex: row.sex,
        phone: row.phone,
        mrn: row.mrn,
      },
      fieldHlc: { ...row.coreHlc, ...row.linkHlc },
      version: (row.coreVersion ?? 0) + linkVersion,
    };
  });
}
