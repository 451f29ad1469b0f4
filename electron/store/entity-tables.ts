import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';
import { entityColumns } from '../../shared/entities/columns.ts';
import { CLINICAL_ENTITY_TABLES } from './schema/clinical-tables.ts';
import { SETUP_ENTITY_TABLES } from './schema/setup-tables.ts';

/**
 * How each synced entity maps onto its store table: wire field name -> column. Derived
 * columns (kept only for querying) are computed from the full field set on every write.
 */
export interface EntityTable<E extends EntityName> {
  table: string;
  columns: { readonly [F in keyof EntityFields<E>]-?: string };
  derived?: (fields: EntityFields<E>) => Record<string, string | number>;
  /** Fields SQLite cannot hold as they are: booleans as 0/1, lists and documents as JSON text. */
  encoded?: { readonly [F in keyof EntityFields<E>]?: ColumnEncoding };
}

export type ColumnEncoding = 'boolean' | 'json';

export function encodeColumn(encoding: ColumnEncoding | undefined, value: unknown): unknown {
  if (encoding === 'boolean') return value === true ? 1 : 0;
  if (encoding === 'json') return JSON.stringify(value);
  return value;
}

export function decodeColumn(encoding: ColumnEncoding | undefined, value: unknown): unknown {
  if (encoding === 'boolean') return value === 1;
  if (encoding === 'json') return JSON.parse(String(value)) as unknown;
  return value;
}

export const ENTITY_TABLES: { readonly [E in EntityName]: EntityTable<E> } = {
  patient: {
    table: 'patients',
    columns: entityColumns('patient'),
  },
  appointment: {
    table: 'appointments',
    columns: entityColumns('appointment'),
    derived: (fields) => ({ starts_at_ms: Date.parse(fields.startsAt) }),
  },
  ...SETUP_ENTITY_TABLES,
  ...CLINICAL_ENTITY_TABLES,
};
