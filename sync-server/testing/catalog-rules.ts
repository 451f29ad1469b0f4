import type { AdminSql } from '../db/sql.ts';

/**
 * The database rules of DESIGN §2, checked against the live catalog (pg_class, pg_index,
 * pg_policies, pg_proc). Used by sync-server/db/catalog.int.test.ts over every domain
 * database, and against a deliberately bad scratch schema to show each rule can fail.
 * Every problem is one line `<object>: <what is wrong>`.
 */
export interface CatalogRules {
  /** Tables allowed to lack tenant_id (with the reason); they still need forced RLS and a policy. */
  aboveTheOrg: Readonly<Record<string, string>>;
  /** Not tenant data at all (migration bookkeeping): no grant to the app roles, no RLS needed. */
  notTenantData: ReadonlySet<string>;
}

export interface CatalogReport {
  problems: string[];
  /** Tables that passed as tenant tables (have tenant_id; not listed as exceptions). */
  tenantTables: string[];
}

/** What every tenant policy must compare tenant_id with, as PostgreSQL prints it back. */
const TENANT_SETTING = "(NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid";

interface Relation {
  name: string;
  kind: string;
  rls: boolean;
  forced: boolean;
  options: string[] | null;
  tenantColumn: { notNull: boolean; type: string } | null;
}

interface UniqueIndex {
  table: string;
  index: string;
  first: string | null;
}

interface Policy {
  table: string;
  policy: string;
  permissive: string;
  cmd: string;
  qual: string | null;
  check: string | null;
}

interface FunctionFacts {
  name: string;
  leakproof: boolean;
  definer: boolean;
  searchPath: string | null;
  publicExecute: boolean;
}

/** Checks every table, view, unique index, policy and function in the given schemas. */
export async function checkCatalog(sql: AdminSql, schemas: readonly string[], rules: CatalogRules): Promise<CatalogReport> {
  const problems: string[] = [];
  const tenantTables: string[] = [];
  const schemaList = [...schemas];

  const relations = await sql.query<Relation>(
    `SELECT n.nspname || '.' || c.relname AS name, c.relkind::text AS kind,
            c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, c.reloptions AS options,
            (SELECT json_build_object('notNull', a.attnotnull, 'type', format_type(a.atttypid, a.atttypmod))
               FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS "tenantColumn"
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
     ORDER BY 1`,
    [schemaList],
  );
  const uniques = await sql.query<UniqueIndex>(
    `SELECT n.nspname || '.' || t.relname AS "table", i.relname AS index, a.attname AS first
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] AND x.indkey[0] <> 0
     WHERE n.nspname = ANY($1::text[]) AND (x.indisunique OR x.indisexclusion)
     ORDER BY 1, 2`,
    [schemaList],
  );
  const policies = await sql.query<Policy>(
    `SELECT schemaname || '.' || tablename AS "table", policyname AS policy, permissive, cmd, qual, with_check AS "check"
     FROM pg_policies WHERE schemaname = ANY($1::text[]) ORDER BY 1, 2`,
    [schemaList],
  );
  const functions = await sql.query<FunctionFacts>(
    `SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name,
            p.proleakproof AS leakproof, p.prosecdef AS definer,
            (SELECT s FROM unnest(coalesce(p.proconfig, '{}'::text[])) s WHERE s LIKE 'search_path=%' LIMIT 1) AS "searchPath",
            (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) e WHERE e.grantee = 0 AND e.privilege_type = 'EXECUTE')) AS "publicExecute"
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = ANY($1::text[])
     ORDER BY 1`,
    [schemaList],
  );

  const policiesOf = groupBy(policies, (p) => p.table);
  const uniquesOf = groupBy(uniques, (u) => u.table);
  for (const rel of relations) {
    if (rel.kind === 'v') {
      // A view runs as its owner unless security_invoker: it would read past RLS.
      if (!optionOn(rel.options, 'security_invoker')) problems.push(`${rel.name}: view is not security_invoker`);
      continue;
    }
    if (rel.kind === 'm') {
      problems.push(`${rel.name}: materialized view (a copy of rows that row-level security cannot filter)`);
      continue;
    }
    if (rel.kind === 'f') {
      problems.push(`${rel.name}: foreign table (not covered by the catalog rules)`);
      continue;
    }
    if (rules.notTenantData.has(rel.name)) continue;
    if (!rel.rls) problems.push(`${rel.name}: row-level security not enabled`);
    if (!rel.forced) problems.push(`${rel.name}: row-level security not forced`);
    const own = policiesOf.get(rel.name) ?? [];
    if (!own.some((p) => p.permissive === 'PERMISSIVE')) problems.push(`${rel.name}: no (permissive) policy`);
    if (rel.name in rules.aboveTheOrg) continue;

    if (!rel.tenantColumn) {
      problems.push(`${rel.name}: no tenant_id column and not listed as above the org`);
      continue;
    }
    if (!rel.tenantColumn.notNull) problems.push(`${rel.name}: tenant_id is nullable`);
    if (rel.tenantColumn.type !== 'uuid') problems.push(`${rel.name}: tenant_id is ${rel.tenantColumn.type}, not uuid`);
    for (const unique of uniquesOf.get(rel.name) ?? []) {
      // A unique key without tenant_id first answers "does this value exist in ANY org?" through a conflict.
      if (unique.first !== 'tenant_id') problems.push(`${rel.name}: unique index ${unique.index} does not start with tenant_id`);
    }
    for (const policy of own) problems.push(...policyProblems(rel.name, policy));
    tenantTables.push(rel.name);
  }

  for (const fn of functions) {
    if (fn.leakproof) problems.push(`${fn.name}: LEAKPROOF (lets the planner run it on rows RLS has not filtered yet)`);
    if (!fn.definer) continue;
    if (!fn.searchPath) problems.push(`${fn.name}: SECURITY DEFINER without SET search_path`);
    else if (/\bpublic\b|\$user/.test(fn.searchPath)) problems.push(`${fn.name}: SECURITY DEFINER with a search_path others can write to (${fn.searchPath})`);
    if (fn.publicExecute) problems.push(`${fn.name}: SECURITY DEFINER executable by PUBLIC`);
  }
  return { problems, tenantTables };
}

/**
 * A permissive policy must scope to the tenant in USING and in WITH CHECK (for the
 * commands that have them); restrictive policies only narrow further, so any is fine.
 */
function policyProblems(table: string, policy: Policy): string[] {
  if (policy.permissive !== 'PERMISSIVE') return [];
  const problems: string[] = [];
  const name = `${table}: policy ${policy.policy} (${policy.cmd})`;
  const needsUsing = policy.cmd !== 'INSERT';
  const needsCheck = policy.cmd === 'ALL' || policy.cmd === 'INSERT' || policy.cmd === 'UPDATE';
  if (needsUsing && !scopesToTenant(policy.qual)) problems.push(`${name}: USING does not compare tenant_id with app.tenant_id (${policy.qual ?? 'none'})`);
  if (needsCheck && !scopesToTenant(policy.check)) problems.push(`${name}: WITH CHECK does not compare tenant_id with app.tenant_id (${policy.check ?? 'none'})`);
  return problems;
}

/** `tenant_id = <setting>` alone, or first in a chain of ANDs (no OR can widen it). */
export function scopesToTenant(expression: string | null): boolean {
  if (expression === null) return false;
  const text = expression.replace(/\s+/g, ' ').trim();
  const comparison = `(tenant_id = ${TENANT_SETTING})`;
  if (text === comparison) return true;
  return text.startsWith(`(${comparison} AND `) && !/\bOR\b/i.test(text);
}

function optionOn(options: string[] | null, name: string): boolean {
  return (options ?? []).some((option) => {
    const [key, value = ''] = option.split('=');
    return key === name && /^(true|on|yes|1)$/i.test(value);
  });
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** Relations and functions outside the given schemas (and outside the system's), e.g. a table left in `public`. */
export async function strayObjects(sql: AdminSql, allowedSchemas: readonly string[]): Promise<string[]> {
  const rows = await sql.query<{ name: string; what: string }>(
    `SELECT n.nspname || '.' || c.relname AS name, 'relation (' || c.relkind::text || ')' AS what
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${OUTSIDE}
     UNION ALL
     SELECT n.nspname || '.' || p.proname, 'function'
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${OUTSIDE}
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
     ORDER BY 1`,
    [[...allowedSchemas]],
  );
  return rows.map((row) => `${row.name}: ${row.what} outside the domain schema`);
}

const OUTSIDE = `n.nspname <> ALL($1::text[]) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`;
