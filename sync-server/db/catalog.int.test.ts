import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { openDatabases } from './open-databases.ts';
import type { DatabaseSet } from './domain-db.ts';
import { freshDatabase, testEngines, type TestDatabase } from '../testing/engines.ts';

const engines = testEngines(await requirePostgres('sync-server/db/catalog (PostgreSQL)'), testPostgresUrl());

/**
 * Tables allowed to lack tenant_id, each with the reason. They still need RLS enabled,
 * forced, and a policy (checked below); only the tenant_id column is excused.
 */
const ABOVE_THE_ORG: Record<string, string> = {
  'master_data.patients': "the patient's core identity, shared by the orgs linked to it; visible only through the org's own link row",
  'tenant_info.tenants': 'the tenant directory: the row IS the tenant; a tenant context sees its own row only',
};
/** Not tenant data at all: migration bookkeeping, owner-only (no grant to the app roles). */
const NOT_TENANT_DATA = new Set(DOMAINS.map((domain) => `${domain}.schema_migrations`));

interface TableFacts {
  name: string;
  rls: boolean;
  forced: boolean;
  policies: number;
  tenantColumn: { not_null: boolean } | null;
  keyStartsWithTenant: boolean;
  owner: string;
}

async function tablesOf(dbs: DatabaseSet, domain: Domain): Promise<TableFacts[]> {
  return dbs.inspect(domain, (sql) =>
    sql.query<TableFacts>(
      `SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
              (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
              (SELECT json_build_object('not_null', a.attnotnull) FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped) AS "tenantColumn",
              COALESCE((SELECT bool_and(a.attname = 'tenant_id')
                 FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
                 WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u')), false) AS "keyStartsWithTenant",
              pg_get_userbyid(c.relowner) AS owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')
       ORDER BY 1`,
      [domain],
    ),
  );
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`catalog of every domain database (${engine.name})`, () => {
    let db: TestDatabase;
    let dbs: DatabaseSet;
    beforeAll(async () => {
      db = await freshDatabase(engine);
      dbs = await openDatabases(db.options, () => undefined);
    });
    afterAll(async () => {
      await dbs?.close();
      await db?.drop();
    });

    it('has tenant_id NOT NULL, tenant-first keys, RLS enabled + forced + a policy on every tenant table', async () => {
      const problems: string[] = [];
      let tenantTables = 0;
      for (const domain of DOMAINS) {
        for (const table of await tablesOf(dbs, domain)) {
          if (NOT_TENANT_DATA.has(table.name)) continue;
          if (!table.rls) problems.push(`${table.name}: row-level security not enabled`);
          if (!table.forced) problems.push(`${table.name}: row-level security not forced`);
          if (table.policies < 1) problems.push(`${table.name}: no policy`);
          if (table.name in ABOVE_THE_ORG) continue;
          tenantTables++;
          if (!table.tenantColumn) problems.push(`${table.name}: no tenant_id column`);
          else if (!table.tenantColumn.not_null) problems.push(`${table.name}: tenant_id is nullable`);
          if (!table.keyStartsWithTenant) problems.push(`${table.name}: a primary/unique key does not start with tenant_id`);
        }
      }
      expect(problems).toEqual([]);
      expect(tenantTables).toBeGreaterThanOrEqual(9);
    });

    it('lists only exceptions that exist', async () => {
      const all = new Set<string>();
      for (const domain of DOMAINS) for (const table of await tablesOf(dbs, domain)) all.add(table.name);
      for (const name of [...Object.keys(ABOVE_THE_ORG), ...NOT_TENANT_DATA]) expect(all.has(name), name).toBe(true);
    });

    it('runs tenant access as a role that is not superuser, not BYPASSRLS and owns no table', async () => {
      for (const domain of DOMAINS) {
        const { app } = dbs.rolesOf(domain);
        const [flags] = await dbs.inspect(domain, (sql) =>
          sql.query<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
            `SELECT r.rolsuper, r.rolbypassrls,
                    (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS owned
             FROM pg_roles r WHERE r.rolname = $1`,
            [app],
          ),
        );
        expect(flags, `${domain} app role ${app}`).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
        const tables = await tablesOf(dbs, domain);
        expect(tables.every((t) => t.owner !== app)).toBe(true);
        const current = await dbs.domains[domain].withTenant('00000000-0000-4000-8000-000000000001', (sql) =>
          sql.query<{ user: string; superuser: string }>("SELECT current_user AS user, current_setting('is_superuser') AS superuser"),
        );
        expect(current).toEqual([{ user: app, superuser: 'off' }]);
      }
    });
  });
}
