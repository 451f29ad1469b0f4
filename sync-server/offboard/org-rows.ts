import type { Domain } from '../../shared/domains.ts';
import type { PhysicalDatabases } from '../db/domain-db.ts';
import { ident, type AdminSql } from '../db/sql.ts';

/** Which physical deployment a count was taken in: the shared databases or the org's dedicated ones. */
export type Deployment = 'shared' | 'dedicated';

export interface TableCount {
  deployment: Deployment;
  domain: Domain;
  /** Table name, or for a table above the org the name and which of its rows ("patients#exclusive"). */
  table: string;
  rows: number;
}

/**
 * An org's rows of one table, as a WHERE clause over alias `t` with the org id as $1.
 * Tables with tenant_id are found in the catalog; the three tables above the org (no
 * tenant_id; sync-server/db/catalog.int.test.ts lists the same three) are handled here,
 * each explicitly:
 * - master_data.patients: a patient's core identity, shared by the orgs linked to it. The
 *   org's part is the cores ONLY it links (deleted with it); cores another org still links
 *   stay (counted apart, as kept). Once the org's links are gone, its part is the cores no
 *   org links at all, which must then be none.
 * - tenant_info.accounts: sign-in identities. The org's part is the accounts of its own
 *   namespace and the shared-namespace accounts that are members of it and of no other org.
 * - tenant_info.tenants: the directory row, which IS the org (kept as its tombstone).
 * Any other table without tenant_id stops the count: nobody has decided whether it holds
 * org data, so offboarding cannot claim to have removed it.
 */
const ABOVE_THE_ORG: Record<string, Record<string, string>> = {
  'master_data.patients': {
    exclusive: `EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id = $1::uuid)
                AND NOT EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id <> $1::uuid)`,
    'shared-with-other-orgs': `EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id = $1::uuid)
                AND EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id AND tp.tenant_id <> $1::uuid)`,
    unlinked: `$1::uuid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM master_data.tenant_patients tp WHERE tp.patient_id = t.id)`,
  },
  'tenant_info.accounts': {
    exclusive: `(t.namespace = $1::uuid::text OR (t.namespace = 'shared'
                  AND EXISTS (SELECT 1 FROM tenant_info.memberships m WHERE m.account_id = t.id AND m.tenant_id = $1::uuid)
                  AND NOT EXISTS (SELECT 1 FROM tenant_info.memberships m WHERE m.account_id = t.id AND m.tenant_id <> $1::uuid)))`,
  },
  'tenant_info.tenants': { own: 't.id = $1::uuid' },
};

export class UnknownOrgTableError extends Error {
  override name = 'UnknownOrgTableError';
}

interface CatalogTable {
  table: string;
  hasTenant: boolean;
}

/** Every table of the domain's schema (partitions through their parent), from pg_catalog. */
export function tablesOf(sql: AdminSql, domain: Domain): Promise<CatalogTable[]> {
  return sql.query<CatalogTable>(
    `SELECT c.relname AS "table",
            EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS "hasTenant"
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'schema_migrations'
     ORDER BY c.relname`,
    [domain],
  );
}

/** The org's row filters of one table: one for a tenant table, one per part for a table above the org. */
export function orgFilters(domain: Domain, table: CatalogTable): Record<string, string> {
  if (table.hasTenant) return { '': 't.tenant_id = $1::uuid' };
  const above = ABOVE_THE_ORG[`${domain}.${table.table}`];
  if (!above) throw new UnknownOrgTableError(`${domain}.${table.table} has no tenant_id and is not a known table above the org; offboarding cannot tell whether it holds the org's data`);
  return above;
}

/**
 * Owner-level access for ONE org: the tenant setting is set as in a tenant transaction and
 * the role must be superuser (our deployments' admin), because offboarding must see every
 * org's links to tell a shared patient from one only this org links.
 */
export function asOwnerFor<T>(dbs: PhysicalDatabases, domain: Domain, tenantId: string, fn: (sql: AdminSql) => Promise<T>): Promise<T> {
  return dbs.inspect(domain, async (sql) => {
    const [me] = await sql.query<{ superuser: boolean }>(
      `SELECT set_config('app.tenant_id', $1, true) IS NOT NULL AND current_setting('is_superuser') = 'on' AS superuser`,
      [tenantId],
    );
    if (!me?.superuser) throw new Error('offboarding needs the deployment admin (a superuser) to see every org\'s links');
    return fn(sql);
  });
}

/** The org's rows in every table of the given domains of one deployment, catalog-driven. */
export async function countOrgRows(dbs: PhysicalDatabases, deployment: Deployment, domains: readonly Domain[], tenantId: string): Promise<TableCount[]> {
  const counts: TableCount[] = [];
  for (const domain of domains) {
    await asOwnerFor(dbs, domain, tenantId, async (sql) => {
      for (const table of await tablesOf(sql, domain)) {
        for (const [part, filter] of Object.entries(orgFilters(domain, table))) {
          const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(domain)}.${ident(table.table)} t WHERE ${filter}`, [tenantId]);
          counts.push({ deployment, domain, table: part === '' ? table.table : `${table.table}#${part}`, rows: row?.n ?? 0 });
        }
      }
    });
  }
  return counts;
}

export const countKey = (count: Pick<TableCount, 'deployment' | 'domain' | 'table'>) => `${count.deployment}:${count.domain}.${count.table}`;
