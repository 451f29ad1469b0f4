import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { isId } from '../../shared/ids.ts';
import type { DatabaseSet } from '../../sync-server/db/domain-db.ts';
import { ident } from '../../sync-server/db/sql.ts';

/**
 * A fingerprint of everything one org holds in all eight domain databases, read from the
 * catalog (so a table added tomorrow is covered without touching this file): per table,
 * the count and an md5 over the org's rows. Two fingerprints differ exactly when a row of
 * the org was added, changed or removed, or a table appeared or vanished.
 *
 * What is left out, and why (each exclusion is a change an attack may legitimately cause):
 * - the whole `audit` domain: a refused attack against an org is, by design, filed in that
 *   org's audit chain (checked separately, per call, by test/support/attack-audit.ts);
 * - columns that record the time of the latest use of a session or device, and sign-in
 *   failure counters / lockouts: a refused sign-in with the org's code counts towards its
 *   lockout, which is the defence working, not data changing hands.
 */
export const EXCLUDED_DOMAINS: ReadonlySet<Domain> = new Set(['audit']);
export const EXCLUDED_COLUMN = /^(last_(seen|used|active|activity|failed)(_at)?|failed_(attempts|sign_ins|logins)|locked_until)$/;

/**
 * Tables without tenant_id (the catalog test lists them as the only exceptions) and how an
 * org's rows are found in them. Any other table without tenant_id stops the fingerprint:
 * someone must decide how it belongs to an org before the suite can vouch for it.
 */
const OWNERSHIP: Record<string, (tenantParam: string) => string> = {
  'master_data.patients': (p) => `EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id = ${p})`,
  'tenant_info.tenants': (p) => `t.id = ${p}`,
  'tenant_info.accounts': (p) => `EXISTS (SELECT 1 FROM tenant_info.memberships m WHERE m.account_id = t.id AND m.tenant_id = ${p})`,
};
const NOT_TENANT_DATA = /\.schema_migrations$/;

export interface TableShape {
  name: string;
  schema: string;
  table: string;
  columns: string[];
}

/** The ordinary tables of a domain's schema with their columns, read from pg_catalog. */
export function catalogTables(databases: DatabaseSet, domain: Domain): Promise<TableShape[]> {
  return databases.inspect(domain, (sql) =>
    sql.query<TableShape>(
      `SELECT n.nspname || '.' || c.relname AS name, n.nspname AS schema, c.relname AS table,
              array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
       GROUP BY 1, 2, 3 ORDER BY 1`,
      [domain],
    ),
  );
}

/** How an org's rows are found in a table (null: the table has no known owner column). */
export function ownershipOf(table: TableShape, tenantParam: string): string | null {
  if (table.columns.includes('tenant_id')) return `t.tenant_id = ${tenantParam}`;
  return OWNERSHIP[table.name]?.(tenantParam) ?? null;
}

export const isTenantData = (table: TableShape) => !NOT_TENANT_DATA.test(table.name);

export type Fingerprint = Record<string, { rows: number; hash: string }>;

export class OrgFingerprint {
  private readonly databases: DatabaseSet;
  private shapes: Map<Domain, TableShape[]> | null = null;

  constructor(databases: DatabaseSet) {
    this.databases = databases;
  }

  /** Every table the fingerprint covers, by domain (for the report and the direct database test). */
  async tables(): Promise<Map<Domain, TableShape[]>> {
    const shapes = new Map<Domain, TableShape[]>();
    for (const domain of DOMAINS) {
      if (EXCLUDED_DOMAINS.has(domain)) continue;
      shapes.set(domain, (await catalogTables(this.databases, domain)).filter(isTenantData));
    }
    this.shapes = shapes;
    return shapes;
  }

  async take(tenantId: string): Promise<Fingerprint> {
    if (!isId(tenantId)) throw new Error('fingerprint: not an org id');
    const shapes = this.shapes ?? (await this.tables());
    const partsOf = (tables: TableShape[]) =>
      tables.map((table) => {
        const kept = table.columns.filter((column) => !EXCLUDED_COLUMN.test(column));
        const owned = ownershipOf(table, '$1::uuid');
        if (!owned) throw new Error(`fingerprint: ${table.name} has no tenant_id and no known owner; say how its rows belong to an org`);
        const row = `ROW(${kept.map((column) => `t.${ident(column)}`).join(', ')})::text`;
        return `SELECT '${table.name}' AS name, count(*)::int AS rows, coalesce(md5(string_agg(${row}, E'\\n' ORDER BY ${row})), '') AS hash
                FROM ${ident(table.schema)}.${ident(table.table)} t WHERE ${owned}`;
      });
    type Row = { name: string; rows: number; hash: string };
    // Through the org's own placement (systemForTenant), so an org on the dedicated tier is
    // fingerprinted where its rows really are, not in the shared databases it left.
    const run = (domain: Domain, parts: string[]) =>
      this.databases.domains[domain].systemForTenant(tenantId, 'test: org fingerprint', (sql) => sql.query<Row>(parts.join('\nUNION ALL\n'), [tenantId]));
    const entries = [...shapes].filter(([, tables]) => tables.length > 0);
    const rows = (await Promise.all(entries.map(([domain, tables]) => run(domain, partsOf(tables))))).flat();
    const result: Fingerprint = {};
    for (const row of rows) result[row.name] = { rows: row.rows, hash: row.hash };
    return result;
  }

  /** Re-reads the catalog and fingerprints again: a dropped or added table is a difference too. */
  async retake(tenantId: string): Promise<Fingerprint> {
    this.shapes = null;
    return this.take(tenantId);
  }
}

/** Tables whose rows of the org differ, one line each. */
export function fingerprintDiff(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  const diffs: string[] = [];
  for (const name of [...names].sort()) {
    const was = before[name];
    const now = after[name];
    if (!was || !now) diffs.push(`${name}: table ${was ? 'vanished' : 'appeared'}`);
    else if (was.hash !== now.hash) diffs.push(`${name}: ${was.rows} -> ${now.rows} rows, content changed`);
  }
  return diffs;
}
