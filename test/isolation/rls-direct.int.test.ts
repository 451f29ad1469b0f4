import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import type { Sql } from '../../sync-server/db/sql.ts';
import { ident } from '../../sync-server/db/sql.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';
import { createAttackFixture, type AttackFixture } from '../support/attack-fixture.ts';
import { catalogTables, fingerprintDiff, isTenantData, OrgFingerprint, type TableShape } from '../support/attack-fingerprint.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { PLANTERS } from './planted-data.ts';

/**
 * Below the API: the database itself keeps orgs apart. As each domain's app role, inside
 * withTenant(A), every statement aimed at B's rows of every table of all eight databases
 * (found in the catalog) reads nothing, touches nothing, or is refused (SQLSTATE 42501: the
 * policy's WITH CHECK, or no privilege at all); with no org set, every table reads empty.
 */
const engines = testEngines(await requirePostgres('test/isolation/rls-direct (PostgreSQL)'), testPostgresUrl());

/** 42501: "new row violates row-level security policy" or "permission denied". */
const REFUSED = '42501';
/**
 * master_data.patients holds the identity above the org; its INSERT policy admits any org
 * context (the org's link row follows in the same transaction), so a copy of B's patient
 * collides on the primary key (23505) — answered as NOT_FOUND by the service, and B's row
 * is untouched (checked by the fingerprint at the end).
 */
const INSERT_ALSO_REFUSED_BY: Record<string, string> = { 'master_data.patients': '23505' };
/**
 * A BEFORE UPDATE trigger that keeps signed clinical notes immutable (23000) fires before
 * the policy is evaluated, so re-labelling A's notes is refused by it first. Either way no
 * row moves (and the fingerprint at the end shows B unchanged).
 */
const MOVE_ALSO_REFUSED_BY: Record<string, string> = { 'clinical.notes': '23000' };
/**
 * Tables where the fixture plants no row of B, so the attempts above meet no real row there
 * (they still must touch nothing). Every other table must hold B's rows: a new table
 * fails here until test/isolation/planted-data.ts plants into it.
 */
const NOT_PLANTED: Record<string, string> = {
  'process_automation.outbox': 'the outbox relay publishes and marks rows on its own schedule',
  'process_automation.processed_events': "the event consumer's ledger, written only when it handles an event",
  'tenant_info.placements': 'a shared-tier org has no placement row',
};

interface Attempt {
  rows: number | null;
  code: string | null;
}

async function attempt(fn: () => Promise<number>): Promise<Attempt> {
  try {
    return { rows: await fn(), code: null };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    return { rows: null, code };
  }
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`row-level security as the app role, table by table (${engine.name})`, () => {
    let server: TestServer;
    let fx: AttackFixture;
    const tables = new Map<Domain, TableShape[]>();
    /** B's patients that are not linked into A (the shared one legitimately is). */
    let bOnlyPatients: string[];

    beforeAll(async () => {
      server = await startTestServer(engine);
      fx = await createAttackFixture(server, PLANTERS);
      for (const domain of DOMAINS) tables.set(domain, (await catalogTables(server.databases, domain)).filter(isTenantData));
      const shared = new Set(fx.shared.patient ?? []);
      bOnlyPatients = (fx.b.ids.patient ?? []).filter((id) => !shared.has(id));
    });
    afterAll(() => server?.stop());

    /** How B's (or A's) rows of a table are named in SQL, with the parameter list. */
    function rowsOf(table: TableShape, tenantId: string): { where: string; params: unknown[]; keySet: string } | null {
      if (table.columns.includes('tenant_id')) return { where: 'tenant_id = $1::uuid', params: [tenantId], keySet: 'tenant_id = tenant_id' };
      if (table.name === 'tenant_info.tenants') return { where: 'id = $1::uuid', params: [tenantId], keySet: 'id = id' };
      // Identities above the org (no tenant column): B's are the patients and accounts only B holds.
      if (table.name === 'master_data.patients') {
        return tenantId === fx.b.tenantId ? { where: 'id = ANY ($1::uuid[])', params: [bOnlyPatients], keySet: 'id = id' } : null;
      }
      if (table.name === 'tenant_info.accounts') {
        return tenantId === fx.b.tenantId ? { where: 'id = ANY ($1::uuid[])', params: [fx.b.ids.user ?? []], keySet: 'id = id' } : null;
      }
      throw new Error(`${table.name} has no tenant_id and no known owner; say how its rows belong to an org`);
    }

    async function ownerCount(domain: Domain, table: TableShape, tenantId: string): Promise<number> {
      const target = rowsOf(table, tenantId);
      if (!target) return 0;
      const [row] = await server.databases.inspect(domain, (sql) =>
        sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ident(table.schema)}.${ident(table.table)} WHERE ${target.where}`, target.params),
      );
      return row?.n ?? 0;
    }

    function asA<T>(domain: Domain, fn: (sql: Sql) => Promise<T>): Promise<T> {
      return server.databases.domains[domain].withTenant(fx.a.tenantId, fn);
    }

    it('reads, updates, deletes and inserts nothing of B as A; cannot move rows into B; reads nothing with no org set', async () => {
      const problems: string[] = [];
      const withBRows: string[] = [];
      let checked = 0;
      const before = await new OrgFingerprint(server.databases).take(fx.b.tenantId);

      for (const [domain, list] of tables) {
        for (const table of list) {
          checked++;
          const qualified = `${ident(table.schema)}.${ident(table.table)}`;
          const b = rowsOf(table, fx.b.tenantId)!;
          if ((await ownerCount(domain, table, fx.b.tenantId)) > 0) withBRows.push(table.name);

          const seen = await attempt(() => asA(domain, async (sql) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified} WHERE ${b.where}`, b.params))[0]?.n ?? 0));
          if (seen.rows !== 0 && seen.code !== REFUSED) problems.push(`${table.name}: A's SELECT of B's rows gave ${JSON.stringify(seen)}`);

          if (table.columns.includes('tenant_id')) {
            const foreign = await attempt(() => asA(domain, async (sql) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified} WHERE tenant_id <> $1::uuid`, [fx.a.tenantId]))[0]?.n ?? 0));
            if (foreign.rows !== 0 && foreign.code !== REFUSED) problems.push(`${table.name}: A sees rows of other orgs: ${JSON.stringify(foreign)}`);
          }

          const updated = await attempt(() => asA(domain, (sql) => sql.execute(`UPDATE ${qualified} SET ${b.keySet} WHERE ${b.where}`, b.params)));
          if (updated.rows !== 0 && updated.code !== REFUSED) problems.push(`${table.name}: A's UPDATE of B's rows gave ${JSON.stringify(updated)}`);

          const deleted = await attempt(() => asA(domain, (sql) => sql.execute(`DELETE FROM ${qualified} WHERE ${b.where}`, b.params)));
          if (deleted.rows !== 0 && deleted.code !== REFUSED) problems.push(`${table.name}: A's DELETE of B's rows gave ${JSON.stringify(deleted)}`);

          // A copy of one of B's rows (or a bare row naming B) inserted as A: the WITH CHECK refuses it.
          const [copy] = await server.databases.inspect(domain, (sql) =>
            sql.query<{ row: unknown }>(`SELECT row_to_json(t) AS row FROM ${qualified} t WHERE ${b.where} LIMIT 1`, b.params),
          );
          const inserted = copy
            ? await attempt(() => asA(domain, (sql) => sql.execute(`INSERT INTO ${qualified} SELECT * FROM json_populate_record(NULL::${qualified}, $1::json)`, [JSON.stringify(copy.row)])))
            : table.columns.includes('tenant_id')
              ? await attempt(() => asA(domain, (sql) => sql.execute(`INSERT INTO ${qualified} (tenant_id) VALUES ($1::uuid)`, [fx.b.tenantId])))
              : null;
          const allowed = [REFUSED, INSERT_ALSO_REFUSED_BY[table.name]];
          if (inserted && !allowed.includes(inserted.code ?? '')) problems.push(`${table.name}: A's INSERT of a row of B gave ${JSON.stringify(inserted)}`);

          // A's own rows re-labelled as B's.
          const a = rowsOf(table, fx.a.tenantId);
          if (a) {
            const column = table.columns.includes('tenant_id') ? 'tenant_id' : 'id';
            const moved = await attempt(() => asA(domain, (sql) => sql.execute(`UPDATE ${qualified} SET ${ident(column)} = $2::uuid WHERE ${a.where}`, [...a.params, fx.b.tenantId])));
            if (moved.rows !== 0 && moved.code !== REFUSED && moved.code !== MOVE_ALSO_REFUSED_BY[table.name]) problems.push(`${table.name}: A's rows could be moved into B: ${JSON.stringify(moved)}`);
          }

          // No org set: the policy compares with NULL and every table reads empty.
          for (const reset of ["SELECT set_config('app.tenant_id', '', true)", 'SET LOCAL app.tenant_id TO DEFAULT']) {
            const unscoped = await attempt(() =>
              asA(domain, async (sql) => {
                await sql.query(reset);
                return (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${qualified}`))[0]?.n ?? 0;
              }),
            );
            if (unscoped.rows !== 0 && unscoped.code !== REFUSED) problems.push(`${table.name}: with no org set (${reset}) the app role reads ${JSON.stringify(unscoped)}`);
          }
        }
      }

      expect(problems).toEqual([]);
      expect(checked).toBeGreaterThanOrEqual(10);
      // The attempts above named real rows of B; the fingerprint shows none changed.
      const all = [...tables.values()].flat().map((table) => table.name);
      expect(all.filter((name) => !withBRows.includes(name) && !(name in NOT_PLANTED)), 'tables without a planted row of B').toEqual([]);
      expect(fingerprintDiff(before, await new OrgFingerprint(server.databases).take(fx.b.tenantId))).toEqual([]);
    });
  });
}
