import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';
import type { Hlc } from '../../shared/hlc.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
import { decodeColumn, encodeColumn, ENTITY_TABLES, type ColumnEncoding, type EntityTable } from './entity-tables.ts';

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

/** An entity's wire fields from a row of its table (SELECT *), decoded (booleans, JSON). */
export function fieldsOfRow<E extends EntityName>(entity: E, row: Record<string, unknown>): EntityFields<E> {
  const spec = tableOf(entity);
  const fields: Record<string, unknown> = {};
  const encoded = (spec.encoded ?? {}) as Record<string, ColumnEncoding>;
  for (const [field, column] of Object.entries(spec.columns) as [string, string][]) fields[field] = decodeColumn(encoded[field], row[column]);
  return fields as EntityFields<E>;
}

export function readEntity<E extends EntityName>(db: Db, entity: E, id: string): StoredEntity<E> | undefined {
  const spec = tableOf(entity);
  const row = prepared<[string], Record<string, unknown>>(db, `SELECT * FROM ${spec.table} WHERE id = ?`).get(id);
  if (!row) return undefined;
  return {
    id,
    fields: fieldsOfRow(entity, row),
    version: typeof row['version'] === 'number' ? row['version'] : null,
    fieldHlc: JSON.parse(String(row['field_hlc'])) as Record<string, Hlc>,
  };
}

/** Insert or replace the whole row (callers merge first). */
export function writeEntity<E extends EntityName>(db: Db, entity: E, row: StoredEntity<E>): void {
  const spec = tableOf(entity);
  const values: Record<string, unknown> = { id: row.id, version: row.version, field_hlc: JSON.stringify(row.fieldHlc) };
  const fields = row.fields as Record<string, unknown>;
  const encoded = (spec.encoded ?? {}) as Record<string, ColumnEncoding>;
  for (const [field, column] of Object.entries(spec.columns) as [string, string][]) values[column] = encodeColumn(encoded[field], fields[field]);
  Object.assign(values, spec.derived?.(row.fields) ?? {});
  prepared(db, upsertSql(spec.table, Object.keys(values))).run(values);
}

const upsertSqls = new Map<string, { columns: readonly string[]; sql: string }>();

/**
 * The upsert statement's text for these columns, built once per table: a bootstrap writes
 * hundreds of thousands of rows with the same columns, and building the text for each was
 * half a kilobyte of garbage a row. Rebuilt if a table's columns ever differ.
 */
function upsertSql(table: string, columns: readonly string[]): string {
  const cached = upsertSqls.get(table);
  if (cached && cached.columns.length === columns.length && cached.columns.every((column, i) => column === columns[i])) return cached.sql;
  const updates = columns.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`;
  upsertSqls.set(table, { columns: [...columns], sql });
  return sql;
}

export function deleteEntity(db: Db, entity: EntityName, id: string): void {
  prepared(db, `DELETE FROM ${tableOf(entity).table} WHERE id = ?`).run(id);
}
