import type { EntityName } from '../../../shared/entities/catalog.ts';
import type { Change } from '../../../shared/sync/pull.ts';
import type { Sql } from '../../db/sql.ts';
import { CLINICAL_ENTITIES, readRecords, type ClinicalEntity, type ClinicalRecord } from './clinical-columns.ts';

/**
 * The org's clinical feed, limited to the entities the caller may read: the filter is in
 * the feed query itself, so a front-desk device never has a note read on its behalf and
 * its pages are full pages of what it may see (the cursor moves past the rest unseen).
 * Clinical records are never deleted, so every change is an upsert of the current state.
 */
export async function readClinicalChanges(
  sql: Sql,
  tenantId: string,
  cursor: string,
  limit: number,
  readable: readonly EntityName[] = CLINICAL_ENTITIES,
): Promise<Change[]> {
  const entities = CLINICAL_ENTITIES.filter((entity) => readable.includes(entity));
  if (entities.length === 0) return [];
  const feed = await sql.query<{ seq: string; entity: ClinicalEntity; id: string }>(
    `SELECT c.seq::text AS seq, c.entity, c.entity_id::text AS id FROM clinical.changes c
     WHERE c.tenant_id = $1 AND c.seq > $2::bigint AND c.entity = ANY($3::text[])
     ORDER BY c.seq LIMIT $4`,
    [tenantId, cursor, entities, limit],
  );
  const records = new Map<string, ClinicalRecord<ClinicalEntity>>();
  for (const entity of entities) {
    const ids = feed.filter((row) => row.entity === entity).map((row) => row.id);
    for (const record of await readRecords(sql, tenantId, entity, ids)) records.set(`${entity}:${record.id}`, record);
  }
  return feed.map((row): Change => {
    const record = records.get(`${row.entity}:${row.id}`);
    // A feed row always has its record (same transaction, no deletes); a gap would be a server fault.
    if (!record) throw new Error(`clinical feed row without its record (${row.entity})`);
    return { seq: row.seq, entity: row.entity, id: row.id, op: 'upsert', fields: record.fields, fieldHlc: record.fieldHlc, version: record.version };
  });
}
