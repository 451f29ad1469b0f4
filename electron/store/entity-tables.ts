import type { EntityFields, EntityName } from '../../shared/entities/catalog.ts';
import { entityColumns } from '../../shared/entities/columns.ts';

/**
 * How each synced entity maps onto its store table: wire field name -> column. Derived
 * columns (kept only for querying) are computed from the full field set on every write.
 */
export interface EntityTable<E extends EntityName> {
  table: string;
  columns: { readonly [F in keyof EntityFields<E>]-?: string };
  derived?: (fields: EntityFields<E>) => Record<string, string | number>;
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
};
