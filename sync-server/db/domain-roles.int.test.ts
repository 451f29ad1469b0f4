import { beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { DOMAINS } from '../../shared/domains.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../testing/engines.ts';
import { useFreshDatabases } from '../testing/fresh-databases.ts';

const engines = testEngines(await requirePostgres('sync-server/db/domain-roles (PostgreSQL)'), testPostgresUrl());

for (const engine of engines) {
  describe.skipIf(!engine.available)(`domain and tenant isolation in the database (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    const tenantA = uuidv7();
    const tenantB = uuidv7();
    const patientId = uuidv7();

    beforeAll(async () => {
      await dbs().domains.master_data.withTenant(tenantA, async (sql) => {
        await sql.execute(`INSERT INTO master_data.patients (id, given_name, family_name, birth_date, sex, phone) VALUES ($1, 'Iso', 'Lated', '1990-01-01', 'other', '')`, [patientId]);
        await sql.execute('INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn) VALUES ($1, $2, $3)', [tenantA, patientId, 'A-1']);
      });
    });

    it('the scheduling role cannot read master_data, in tenant or system scope', async () => {
      const read = (sql: { query: (text: string) => Promise<unknown> }) => sql.query('SELECT count(*) FROM master_data.patients');
      // PGlite: permission denied for schema (42501); PostgreSQL: no such relation in that database (42P01).
      await expect(dbs().domains.scheduling.withTenant(tenantA, read)).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|42P01)$/) });
      await expect(dbs().domains.scheduling.system('test: cross-domain read', read)).rejects.toMatchObject({ code: expect.stringMatching(/^(42501|42P01)$/) });
    });

    it('no domain role reaches another domain schema', async () => {
      for (const domain of DOMAINS) {
        const other = domain === 'audit' ? 'tenant_info' : 'audit';
        const table = other === 'audit' ? 'audit.events' : 'tenant_info.tenants';
        // The table exists and its own domain can read it, so the refusal below is about the role.
        await expect(dbs().domains[other].withTenant(tenantA, (sql) => sql.query(`SELECT 1 FROM ${table}`))).resolves.toBeDefined();
        await expect(dbs().domains[domain].withTenant(tenantA, (sql) => sql.query(`SELECT 1 FROM ${table}`)), domain).rejects.toMatchObject({
          code: expect.stringMatching(/^(42501|42P01)$/),
        });
      }
    });

    it("row-level security shows a tenant its own rows only, even without a WHERE clause", async () => {
      const seenByA = await dbs().domains.master_data.withTenant(tenantA, (sql) => sql.query('SELECT id::text AS id FROM master_data.patients'));
      const seenByB = await dbs().domains.master_data.withTenant(tenantB, (sql) => sql.query('SELECT * FROM master_data.patients'));
      const linksOfB = await dbs().domains.master_data.withTenant(tenantB, (sql) => sql.query('SELECT * FROM master_data.tenant_patients'));
      expect(seenByA).toEqual([{ id: patientId }]);
      expect(seenByB).toEqual([]);
      expect(linksOfB).toEqual([]);
      const updated = await dbs().domains.master_data.withTenant(tenantB, (sql) => sql.execute("UPDATE master_data.patients SET phone = '1' WHERE id = $1", [patientId]));
      expect(updated).toBe(0);
    });

    it('refuses to write a row for another tenant', async () => {
      await expect(
        dbs().domains.master_data.withTenant(tenantB, (sql) =>
          sql.execute('INSERT INTO master_data.tenant_patients (tenant_id, patient_id, mrn) VALUES ($1, $2, $3)', [tenantA, patientId, 'X']),
        ),
      ).rejects.toMatchObject({ code: '42501' });
    });

    it('keeps the tenant setting inside its transaction', async () => {
      await dbs().domains.master_data.withTenant(tenantA, async () => undefined);
      const rows = await dbs().domains.master_data.system('test: read setting', (sql) =>
        sql.query<{ t: string | null }>("SELECT nullif(current_setting('app.tenant_id', true), '') AS t"),
      );
      expect(rows).toEqual([{ t: null }]);
    });
  });
}
