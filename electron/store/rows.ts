import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';
import type { Hlc } from '../../shared/hlc.ts';
import type { Db } from './db.ts';
import { ENTITY_TABLES, type EntityTable } from './entity-tables.ts';

/** One entity row as the merge and the repositories see it. */
export interface StoredEntity<E extends EntityName> {
  id: string;
  fields: EntityFields<E>;
  version: number | null;
  fieldHlc: Record<string, Hlc>;
}

function tableOf<E extends EntityName>(entity: E): EntityTable<E> {
  return ENTITY_TABLES[entity];
}

export function readEntity<E extends EntityName>(db: Db, entity: E, id: string): StoredEntity<E> | undefined {
  const spec = tableOf(entity);
  const row = db.prepare<[string], Record<string, unknown>>(`SELECT * FROM ${spec.table} WHERE id = ?`).get(id);
  if (!row) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(spec.columns) as [string, string][]) fields[field] = row[column];
  return {
    id,
    fields: fields as EntityFields<E>,
    version: typeof row['version'] === 'number' ? row['version'] : null,
    fieldHlc: JSON.parse(String(row['field_hlc'])) as Record<string, Hlc>,
  };
}

/** Insert or replace the whole row (callers merge first). */
export function writeEntity<E extends EntityName>(db: Db, entity: E, row: StoredEntity<E>): void {
  const spec = tableOf(entity);
  const values: Record<string, unknown> = { id: row.id, version: row.version, field_hlc: JSON.stringify(row.fieldHlc) };
  const fields = row.fields as Record<string, unknown>;
  for (const [field, column] of Object.entries(spec.columns) as [string, string][]) values[column] = fields[field];
  Object.assign(values, spec.derived?.(row.fields) ?? {});
  const columns = Object.keys(values);
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
  db.prepare(
    `INSERT INTO ${spec.table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
  ).run(values);
}

export function deleteEntity(db: Db, entity: EntityName, id: string): void {
  db.prepare(`DELETE FROM ${tableOf(entity).table} WHERE id = ?`).run(id);
}
