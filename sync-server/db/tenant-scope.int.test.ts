import { beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { TenantDirectory } from '../domains/tenant_info/tenants.ts';
import { testEngines } from '../testing/engines.ts';
import { useFreshDatabases } from '../testing/fresh-databases.ts';

const engines = testEngines(await requirePostgres('sync-server/db/tenant-scope (PostgreSQL)'), testPostgresUrl());

/**
 * withTenant opens its transaction with BEGIN and the tenant setting in one message, and
 * request traffic's statements are prepared once per connection (postgres-driver.ts,
 * statement-names.ts). One app connection per domain here, so every call below reuses
 * the same connection and the same prepared statements, past the point (5 executions)
 * where PostgreSQL may switch a prepared statement to a generic plan.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`tenant scope on one reused connection (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine, { poolSize: 1, systemPoolSize: 1 });
    const orgs: string[] = [];

    beforeAll(async () => {
      const directory = new TenantDirectory(dbs().domains.tenant_info);
      for (const code of ['scope-a', 'scope-b']) orgs.push((await directory.create({ code, name: code, kind: 'human' })).id);
    });

    it('the same statement, alternating between two orgs, always sees its own org only', async () => {
      for (let round = 0; round < 12; round++) {
        for (const org of orgs) {
          const rows = await dbs().domains.tenant_info.withTenant(org, (sql) =>
            sql.query<{ id: string; setting: string }>("SELECT id::text AS id, current_setting('app.tenant_id') AS setting FROM tenant_info.tenants WHERE code <> $1", ['none']),
          );
          expect(rows).toEqual([{ id: org, setting: org }]);
        }
      }
    });

    it('a snapshot read is one REPEATABLE READ, READ ONLY transaction in the org’s context', async () => {
      const [org] = orgs as [string];
      const seen = await dbs().domains.tenant_info.withTenant(
        org,
        (sql) =>
          sql.query<{ isolation: string; readOnly: string; setting: string }>(
            "SELECT current_setting('transaction_isolation') AS isolation, current_setting('transaction_read_only') AS \"readOnly\", current_setting('app.tenant_id') AS setting WHERE $1::int = 1",
            [1],
          ),
        { snapshot: true },
      );
      expect(seen).toEqual([{ isolation: 'repeatable read', readOnly: 'on', setting: org }]);
      await expect(
        dbs().domains.tenant_info.withTenant(org, (sql) => sql.execute('UPDATE tenant_info.tenants SET name = name WHERE id = $1', [org]), { snapshot: true }),
      ).rejects.toMatchObject({ code: '25006' });
      // The failed transaction was rolled back: the connection serves the next call, read-write again.
      const plain = await dbs().domains.tenant_info.withTenant(org, (sql) =>
        sql.query<{ readOnly: string }>("SELECT current_setting('transaction_read_only') AS \"readOnly\" WHERE $1::int = 1", [1]),
      );
      expect(plain).toEqual([{ readOnly: 'off' }]);
    });

    it('refuses a tenant id that is not a UUID before any SQL runs (it is inlined into the BEGIN message)', async () => {
      const injected = "00000000-0000-4000-8000-000000000000', true); DROP TABLE tenant_info.tenants; --";
      await expect(async () => dbs().domains.tenant_info.withTenant(injected, async () => 1)).rejects.toThrow(/tenant id/);
      const count = await dbs().inspect('tenant_info', (sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.tenants'));
      expect(count).toEqual([{ n: 2 }]);
    });
  });
}
