import { describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import type { DatabaseSet } from './domain-db.ts';
import { checkCatalog, scopesToTenant, strayObjects, type CatalogRules } from '../testing/catalog-rules.ts';
import { testEngines } from '../testing/engines.ts';
import { useFreshDatabases } from '../testing/fresh-databases.ts';

const engines = testEngines(await requirePostgres('sync-server/db/catalog (PostgreSQL)'), testPostgresUrl());

/**
 * Tables allowed to lack tenant_id, each with the reason. They still need RLS enabled,
 * forced, and a policy (checked below); only the tenant_id column is excused.
 */
const ABOVE_THE_ORG: Record<string, string> = {
  'master_data.patients': "the patient's core identity, shared by the orgs linked to it; visible only through the org's own link row",
  'tenant_info.tenants': 'the tenant directory: the row IS the tenant; a tenant context sees its own row only',
  'tenant_info.accounts':
    "a person's sign-in identity in a namespace ('shared' or one org's own), above the org: a shared account may belong to several orgs; an org context may only read its own members' accounts and write none",
};
/** Not tenant data at all: migration bookkeeping, owner-only (no grant to the app roles). */
const NOT_TENANT_DATA = new Set(DOMAINS.map((domain) => `${domain}.schema_migrations`));
const RULES: CatalogRules = { aboveTheOrg: ABOVE_THE_ORG, notTenantData: NOT_TENANT_DATA };

/** The schemas one inspect() connection may hold: PGlite keeps all eight in one instance. */
function schemasOf(dbs: DatabaseSet, domain: Domain): readonly string[] {
  return dbs.engine === 'pglite' ? DOMAINS : [domain];
}

/** PGlite answers every domain from one instance: check it once, not eight times. */
function inspectedDomains(dbs: DatabaseSet): readonly Domain[] {
  return dbs.engine === 'pglite' ? [DOMAINS[0]] : DOMAINS;
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`catalog of every domain database (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);

    it('holds every table, view, unique index, policy and function of all eight domains to the tenancy rules', async () => {
      const problems: string[] = [];
      const tenantTables: string[] = [];
      for (const domain of inspectedDomains(dbs())) {
        const report = await dbs().inspect(domain, (sql) => checkCatalog(sql, schemasOf(dbs(), domain), RULES));
        problems.push(...report.problems);
        tenantTables.push(...report.tenantTables);
      }
      expect(problems).toEqual([]);
      expect(tenantTables.length).toBeGreaterThanOrEqual(9);
    });

    it('has nothing outside the domain schemas (every table is covered by the rules)', async () => {
      const stray: string[] = [];
      for (const domain of inspectedDomains(dbs())) stray.push(...(await dbs().inspect(domain, (sql) => strayObjects(sql, schemasOf(dbs(), domain)))));
      expect(stray).toEqual([]);
    });

    it('lists only exceptions that exist', async () => {
      const all = new Set<string>();
      for (const domain of DOMAINS) {
        const rows = await dbs().inspect(domain, (sql) =>
          sql.query<{ name: string }>(
            `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`,
            [domain],
          ),
        );
        for (const row of rows) all.add(row.name);
      }
      for (const name of [...Object.keys(ABOVE_THE_ORG), ...NOT_TENANT_DATA]) expect(all.has(name), name).toBe(true);
    });

    it('runs tenant access as a role that is not superuser, not BYPASSRLS, owns nothing, inherits nothing and cannot create objects', async () => {
      for (const domain of DOMAINS) {
        const { app } = dbs().rolesOf(domain);
        const [flags] = await dbs().inspect(domain, (sql) =>
          sql.query<Record<string, boolean | number>>(
            `SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb,
                    (SELECT count(*)::int FROM pg_class c WHERE c.relowner = r.oid) AS "ownedRelations",
                    (SELECT count(*)::int FROM pg_proc p WHERE p.proowner = r.oid) AS "ownedFunctions",
                    (SELECT count(*)::int FROM pg_namespace n WHERE n.nspowner = r.oid) AS "ownedSchemas",
                    (SELECT count(*)::int FROM pg_auth_members m WHERE m.member = r.oid) AS "memberOf",
                    (SELECT count(*)::int FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
                       AND has_schema_privilege(r.oid, n.oid, 'CREATE')) AS "createInSchemas",
                    has_database_privilege(r.oid, current_database(), 'CREATE') AS "createInDatabase",
                    has_table_privilege(r.oid, $2::regclass, 'SELECT, INSERT, UPDATE, DELETE') AS "touchesMigrationLedger"
             FROM pg_roles r WHERE r.rolname = $1`,
            [app, `${domain}.schema_migrations`],
          ),
        );
        expect(flags, `${domain} app role ${app}`).toEqual({
          rolsuper: false,
          rolbypassrls: false,
          rolcreaterole: false,
          rolcreatedb: false,
          ownedRelations: 0,
          ownedFunctions: 0,
          ownedSchemas: 0,
          memberOf: 0,
          createInSchemas: 0,
          createInDatabase: false,
          touchesMigrationLedger: false,
        });
        const current = await dbs().domains[domain].withTenant('00000000-0000-4000-8000-000000000001', (sql) =>
          sql.query<{ user: string; superuser: string }>("SELECT current_user AS user, current_setting('is_superuser') AS superuser"),
        );
        expect(current).toEqual([{ user: app, superuser: 'off' }]);
      }
    });

    it('flags every kind of bad object in a deliberately bad scratch schema (the checker can fail)', async () => {
      const scratch = 'catalog_scratch';
      const domain = DOMAINS[0];
      const setting = "nullif(current_setting('app.tenant_id', true), '')::uuid";
      const report = await dbs().inspect(domain, async (sql) => {
        await sql.exec(`
          CREATE SCHEMA ${scratch};
          -- no RLS, nullable tenant_id, unique key on a bare value (an oracle across orgs)
          CREATE TABLE ${scratch}.open_table (tenant_id uuid, id uuid PRIMARY KEY, email text UNIQUE);
          -- RLS forced, but a policy that ignores the tenant, and a unique INDEX (not constraint) on a value
          CREATE TABLE ${scratch}.wide_policy (tenant_id uuid NOT NULL, id uuid NOT NULL, mrn text NOT NULL, PRIMARY KEY (tenant_id, id));
          CREATE UNIQUE INDEX wide_policy_mrn ON ${scratch}.wide_policy (mrn);
          ALTER TABLE ${scratch}.wide_policy ENABLE ROW LEVEL SECURITY;
          ALTER TABLE ${scratch}.wide_policy FORCE ROW LEVEL SECURITY;
          CREATE POLICY everyone ON ${scratch}.wide_policy USING (true) WITH CHECK (tenant_id = ${setting});
          -- scoped USING, widened by OR; and a WITH CHECK that is missing
          CREATE TABLE ${scratch}.or_policy (tenant_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
          ALTER TABLE ${scratch}.or_policy ENABLE ROW LEVEL SECURITY;
          ALTER TABLE ${scratch}.or_policy FORCE ROW LEVEL SECURITY;
          CREATE POLICY widened ON ${scratch}.or_policy USING (tenant_id = ${setting} OR true);
          -- no tenant_id and not listed as above the org
          CREATE TABLE ${scratch}.unlisted (id uuid PRIMARY KEY);
          ALTER TABLE ${scratch}.unlisted ENABLE ROW LEVEL SECURITY;
          ALTER TABLE ${scratch}.unlisted FORCE ROW LEVEL SECURITY;
          CREATE POLICY p ON ${scratch}.unlisted USING (true);
          -- a good table, for contrast: must not be flagged
          CREATE TABLE ${scratch}.good (tenant_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
          CREATE UNIQUE INDEX good_other ON ${scratch}.good (tenant_id, id DESC);
          ALTER TABLE ${scratch}.good ENABLE ROW LEVEL SECURITY;
          ALTER TABLE ${scratch}.good FORCE ROW LEVEL SECURITY;
          CREATE POLICY good_isolation ON ${scratch}.good USING (tenant_id = ${setting}) WITH CHECK (tenant_id = ${setting});
          CREATE VIEW ${scratch}.definer_view AS SELECT id FROM ${scratch}.good;
          CREATE VIEW ${scratch}.invoker_view WITH (security_invoker = true) AS SELECT id FROM ${scratch}.good;
          CREATE MATERIALIZED VIEW ${scratch}.snapshot AS SELECT id FROM ${scratch}.good;
          CREATE FUNCTION ${scratch}.peek(a int) RETURNS boolean LANGUAGE sql IMMUTABLE LEAKPROOF AS 'SELECT a > 0';
          CREATE FUNCTION ${scratch}.unpinned() RETURNS bigint LANGUAGE sql SECURITY DEFINER AS 'SELECT count(*) FROM ${scratch}.good';
          CREATE FUNCTION ${scratch}.pinned() RETURNS bigint LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS 'SELECT count(*) FROM ${scratch}.good';
          REVOKE ALL ON FUNCTION ${scratch}.pinned() FROM PUBLIC;
        `);
        try {
          return await checkCatalog(sql, [scratch], { aboveTheOrg: {}, notTenantData: new Set() });
        } finally {
          await sql.exec(`DROP SCHEMA ${scratch} CASCADE`);
        }
      });
      const flagged = (object: string, what: RegExp) => report.problems.some((p) => p.startsWith(`${scratch}.${object}`) && what.test(p));
      expect(flagged('open_table:', /row-level security not enabled/)).toBe(true);
      expect(flagged('open_table:', /row-level security not forced/)).toBe(true);
      expect(flagged('open_table:', /no \(permissive\) policy/)).toBe(true);
      expect(flagged('open_table:', /tenant_id is nullable/)).toBe(true);
      expect(flagged('open_table:', /unique index open_table_pkey does not start with tenant_id/)).toBe(true);
      expect(flagged('open_table:', /unique index open_table_email_key does not start with tenant_id/)).toBe(true);
      expect(flagged('wide_policy:', /unique index wide_policy_mrn does not start with tenant_id/)).toBe(true);
      expect(flagged('wide_policy: policy everyone', /USING does not compare/)).toBe(true);
      expect(flagged('wide_policy: policy everyone', /WITH CHECK/)).toBe(false);
      expect(flagged('or_policy: policy widened', /USING does not compare/)).toBe(true);
      expect(flagged('or_policy: policy widened', /WITH CHECK does not compare/)).toBe(true);
      expect(flagged('unlisted:', /no tenant_id column and not listed/)).toBe(true);
      expect(flagged('definer_view:', /not security_invoker/)).toBe(true);
      expect(flagged('snapshot:', /materialized view/)).toBe(true);
      expect(flagged('peek(a integer):', /LEAKPROOF/)).toBe(true);
      expect(flagged('unpinned():', /without SET search_path/)).toBe(true);
      expect(flagged('unpinned():', /executable by PUBLIC/)).toBe(true);
      // Nothing said about the good objects.
      expect(report.problems.filter((p) => /\.(good|invoker_view|pinned\(\))\b/.test(p))).toEqual([]);
      expect(report.tenantTables).toContain(`${scratch}.good`);
    });

    it('flags a table left outside the domain schemas', async () => {
      const domain = DOMAINS[0];
      const stray = await dbs().inspect(domain, async (sql) => {
        await sql.exec('CREATE TABLE public.catalog_stray (id int)');
        try {
          return await strayObjects(sql, schemasOf(dbs(), domain));
        } finally {
          await sql.exec('DROP TABLE public.catalog_stray');
        }
      });
      expect(stray).toEqual(['public.catalog_stray: relation (r) outside the domain schema']);
    });
  });
}

describe('the tenant policy pattern', () => {
  const setting = "(NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid";
  it('accepts the exact comparison, alone or first in a chain of ANDs', () => {
    expect(scopesToTenant(`(tenant_id = ${setting})`)).toBe(true);
    expect(scopesToTenant(`((tenant_id = ${setting}) AND (NOT deleted))`)).toBe(true);
  });
  it('refuses anything that could widen it or compares something else', () => {
    expect(scopesToTenant(null)).toBe(false);
    expect(scopesToTenant('true')).toBe(false);
    expect(scopesToTenant(`((tenant_id = ${setting}) AND (NOT deleted) OR true)`)).toBe(false);
    expect(scopesToTenant(`(owner_id = ${setting})`)).toBe(false);
    expect(scopesToTenant(`(tenant_id = (current_setting('app.other'::text, true))::uuid)`)).toBe(false);
  });
});
