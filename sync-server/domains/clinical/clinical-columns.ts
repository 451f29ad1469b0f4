import type { EntityFields } from '../../../shared/entities/catalog.ts';
import type { Hlc } from '../../../shared/hlc.ts';
import type { Sql } from '../../db/sql.ts';
import { isoTime } from '../../db/timestamps.ts';

/**
 * The clinical tables as sync sees them: each record's wire fields (shared/entities), the
 * HLC of each value, and its version. Columns are the snake_case of the fields
 * (shared/entities/columns.ts); uuid columns are read as text, timestamps as ISO-8601 UTC.
 */
export const CLINICAL_TABLES = { encounter: 'clinical.encounters', note: 'clinical.notes', order: 'clinical.orders' } as const;
export type ClinicalEntity = keyof typeof CLINICAL_TABLES;
export const CLINICAL_ENTITIES = Object.keys(CLINICAL_TABLES) as ClinicalEntity[];

const SYNC_SELECT: Record<ClinicalEntity, string> = {
  encounter: `id::text AS id, patient_id::text AS "patientId", appointment_id::text AS "appointmentId",
    practitioner_id::text AS "practitionerId", status, started_at AS "startedAt", ended_at AS "endedAt"`,
  note: `id::text AS id, encounter_id::text AS "encounterId", amends_id::text AS "amendsId", kind, body, status,
    author_id::text AS "authorId", signed_at AS "signedAt"`,
  order: `id::text AS id, encounter_id::text AS "encounterId", kind, code, description, status, ordered_by::text AS "orderedBy"`,
};

export interface ClinicalRecord<E extends ClinicalEntity> {
  id: string;
  fields: EntityFields<E>;
  fieldHlc: Record<string, Hlc>;
  version: number;
}

type RawRow = Record<string, unknown> & { id: string; fieldHlc: Record<string, Hlc>; version: number };

function toRecord<E extends ClinicalEntity>(row: RawRow): ClinicalRecord<E> {
  const { id, fieldHlc, version, ...rest } = row;
  const fields = Object.fromEntries(Object.entries(rest).map(([field, value]) => [field, value instanceof Date ? isoTime(value) : value]));
  return { id, fields: fields as EntityFields<E>, fieldHlc, version };
}

/** Records of the org by id (any order); ids the org does not have are simply absent. */
export async function readRecords<E extends ClinicalEntity>(sql: Sql, tenantId: string, entity: E, ids: readonly string[]): Promise<ClinicalRecord<E>[]> {
  if (ids.length === 0) return [];
  const rows = await sql.query<RawRow>(
    `SELECT ${SYNC_SELECT[entity]}, field_hlc AS "fieldHlc", version FROM ${CLINICAL_TABLES[entity]} WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
    [tenantId, ids],
  );
  return rows.map((row) => toRecord<E>(row));
}

/** One record of the org, locked until the transaction ends; null if the org has none with this id. */
export async function lockRecord<E extends ClinicalEntity>(sql: Sql, tenantId: string, entity: E, id: string): Promise<ClinicalRecord<E> | null> {
  const rows = await sql.query<RawRow>(
    `SELECT ${SYNC_SELECT[entity]}, field_hlc AS "fieldHlc", version FROM ${CLINICAL_TABLES[entity]} WHERE tenant_id = $1 AND id = $2 FOR UPDATE`,
    [tenantId, id],
  );
  return rows[0] ? toRecord<E>(rows[0]) : null;
}
