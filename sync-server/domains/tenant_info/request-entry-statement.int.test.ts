import { beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { testEngines } from '../../testing/engines.ts';
import { useFreshDatabases } from '../../testing/fresh-databases.ts';
import { SessionStore } from './sessions.ts';
import { TenantDirectory } from './tenants.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/tenant_info/request-entry-statement (PostgreSQL)'), testPostgresUrl());

/**
 * Request entry reads the org and the session in one statement outside any transaction
 * block (DomainDb.appStatement + tenant_info.request_entry, migration 007). What keeps
 * that as tight as a tenant transaction: the statement sees nothing of any org unless the
 * function scoped it, the function scopes it to the org it was asked about only, and it
 * will not re-scope a transaction already scoped to another org. The refusals built on it
 * are request-entry.int.test.ts's and the attack suite's.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`request entry in one statement (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    let a: string;
    let b: string;

    beforeAll(async () => {
      const directory = new TenantDirectory(dbs().domains.tenant_info);
      a = (await directory.create({ code: 'entry-a', name: 'Entry A', kind: 'human' })).id;
      b = (await directory.create({ code: 'entry-b', name: 'Entry B', kind: 'veterinary' })).id;
    });

    it('an app statement that does not scope itself sees no org at all', async () => {
      const rows = await dbs().domains.tenant_info.appStatement<{ n: number }>(a, 'SELECT count(*)::int AS n FROM tenant_info.tenants', []);
      expect(rows).toEqual([{ n: 0 }]);
    });

    it("reads the org asked about, and nothing of another; no token: no session; an unknown org: nothing", async () => {
      const sessions = new SessionStore(dbs().domains.tenant_info);
      const entry = await sessions.entry(a, null);
      expect(entry.tenant).toMatchObject({ id: a, code: 'entry-a', name: 'Entry A', kind: 'human', status: 'active', tier: 'shared', requireEnrolledDevices: false });
      expect(entry.tenant?.policy).toEqual(expect.objectContaining({ idleLockMinutes: expect.any(Number) }));
      expect(entry.session).toBeNull();
      // The same tenant row as the directory's own read.
      expect(entry.tenant).toEqual(await new TenantDirectory(dbs().domains.tenant_info).get(a));
      expect(await sessions.entry(uuidv7(), 'cs1.some-token')).toEqual({ tenant: null, session: null });
      expect(await sessions.find(b, 'cs1.some-token')).toBeNull();
    });

    it("refuses to re-scope a transaction already scoped to another org", async () => {
      const inA = dbs().domains.tenant_info.withTenant(a, (sql) => sql.query('SELECT * FROM tenant_info.request_entry($1, NULL)', [b]));
      await expect(inA).rejects.toThrow(/another org's tenant context/);
      // Its own org again is harmless.
      const own = await dbs().domains.tenant_info.withTenant(a, (sql) => sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.request_entry($1, NULL)', [a]));
      expect(own).toEqual([{ n: 1 }]);
    });
  });
}
