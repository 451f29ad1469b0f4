import type { PhysicalDatabases } from '../db/domain-db.ts';
import { ident, type AdminSql } from '../db/sql.ts';
import type { PlacedDomain } from './placed-domains.ts';

/** One table of a placed domain, as the copy needs it (read from the catalog, never listed by hand). */
export interface TenantTable {
  domain: PlacedDomain;
  table: string;
  /** `"schema"."table"` */
  qualified: string;
  /** Columns a row is inserted with (generated columns are computed again). */
  insertColumns: string[];
  /** Primary key columns (keyset order), or null: then (tableoid, ctid) pages the copy. */
  primaryKey: string[] | null;
  /** name:type of every column, to check both sides have the same shape. */
  shape: string;
  parents: string[];
}

interface CatalogRow {
  table: string;
  hasTenant: boolean;
  columns: { name: string; type: string; generated: boolean }[];
  primaryKey: string[] | null;
  parents: string[];
}

/** Thrown when a placed domain has a table that cannot follow an org (no tenant_id). */
export class UnplaceableTableError extends Error {
  override name = 'UnplaceableTableError';
}

/**
 * Every table of the domain that holds org rows, parents before children (foreign keys
 * inside the schema), so inserting in this order and deleting in the reverse order
 * works even where triggers and constraints stay on. Partitions are reached through
 * their partitioned parent. A table without tenant_id in a placed domain would stay
 * behind in the shared database, so it stops the move instead.
 */
export async function tenantTablesOf(dbs: PhysicalDatabases, domain: PlacedDomain): Promise<TenantTable[]> {
  const rows = await dbs.inspect(domain, (sql) => catalog(sql, domain));
  const unplaceable = rows.filter((row) => !row.hasTenant).map((row) => `${domain}.${row.table}`);
  if (unplaceable.length > 0) throw new UnplaceableTableError(`tables without tenant_id in a placed domain: ${unplaceable.join(', ')}`);
  const tables = rows.map(
    (row): TenantTable => ({
      domain,
      table: row.table,
      qualified: `${ident(domain)}.${ident(row.table)}`,
      insertColumns: row.columns.filter((c) => !c.generated).map((c) => c.name),
      primaryKey: row.primaryKey && row.primaryKey.length > 0 ? row.primaryKey : null,
      shape: row.columns.map((c) => `${c.name}:${c.type}${c.generated ? ':generated' : ''}`).join(','),
      parents: row.parents,
    }),
  );
  return parentsFirst(tables);
}

function catalog(sql: AdminSql, domain: string): Promise<CatalogRow[]> {
  return sql.query<CatalogRow>(
    `SELECT c.relname AS "table",
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS "hasTenant",
            (SELECT coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod),
                                                        'generated', a.attgenerated <> '') ORDER BY a.attnum), '[]')
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
            (SELECT json_agg(a.attname ORDER BY k.ord)
               FROM pg_constraint pk
               CROSS JOIN LATERAL unnest(pk.conkey) WITH ORDINALITY AS k (attnum, ord)
               JOIN pg_attribute a ON a.attrelid = pk.conrelid AND a.attnum = k.attnum
              WHERE pk.conrelid = c.oid AND pk.contype = 'p') AS "primaryKey",
            (SELECT coalesce(json_agg(DISTINCT p.relname), '[]')
               FROM pg_constraint f JOIN pg_class p ON p.oid = f.confrelid
              WHERE f.conrelid = c.oid AND f.contype = 'f' AND p.relnamespace = c.relnamespace AND p.oid <> c.oid) AS parents
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migrations'
     ORDER BY c.relname`,
    [domain],
  );
}

function parentsFirst(tables: TenantTable[]): TenantTable[] {
  const byName = new Map(tables.map((t) => [t.table, t]));
  const ordered: TenantTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: TenantTable) => {
    if (state.get(table.table) === 'done') return;
    if (state.get(table.table) === 'visiting') return; // a cycle: its order cannot matter more than this
    state.set(table.table, 'visiting');
    for (const parent of table.parents) {
      const found = byName.get(parent);
      if (found) visit(found);
    }
    state.set(table.table, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

/** Sequences of the domain (change feeds' seq, identity columns): their position must follow the org. */
export async function sequencesOf(dbs: PhysicalDatabases, domain: PlacedDomain): Promise<string[]> {
  const rows = await dbs.inspect(domain, (sql) =>
    sql.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'S' ORDER BY 1`,
      [domain],
    ),
  );
  return rows.map((row) => row.name);
}
