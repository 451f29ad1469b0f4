import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS } from '../../shared/domains.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { auditedWork } from '../audit/audited-work.ts';
import { databaseName } from '../db/postgres-urls.ts';
import { AuditEvents } from '../domains/audit/audit-events.ts';
import { TenantDirectory } from '../domains/tenant_info/tenants.ts';
import { silentLogger } from '../log.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { freshDatabase, testEngines, type TestDatabase } from '../testing/engines.ts';
import { appCodeOf, closeClientSockets, syncClient } from '../testing/harness.ts';
import { createVault } from '../vault/vault.ts';
import { verifyCertificate } from './deletion-certificate.ts';
import { KEPT_TABLES } from './kept-rows.ts';
import { PHI, seedOrg, sharedPatient, type SeededOrg } from '../testing/offboard-fixture.ts';
import { offboardTenant, type OffboardInput } from './offboard-tenant.ts';
import { countKey, countOrgRows, type TableCount } from './org-rows.ts';
import { loadSigningKey } from './signing-key.ts';

const engines = testEngines(await requirePostgres('sync-server/offboard (PostgreSQL)'), testPostgresUrl());

const nonZero = (counts: TableCount[]) => Object.fromEntries(counts.filter((c) => c.rows > 0).map((c) => [countKey(c), c.rows]));

for (const engine of engines) {
  describe.skipIf(!engine.available)(`tenant offboarding (${engine.name})`, { timeout: 120_000 }, () => {
    let db: TestDatabase;
    let server: SyncServerHandle;
    let north: SeededOrg;
    let south: SeededOrg;
    let shared: string;
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-offboard-'));
    const key = loadSigningKey({}, folder);

    const offboard = (tenantId: string, out: string) => {
      const audit = new AuditEvents(server.databases.domains.audit);
      const input: OffboardInput = {
        core: {
          databases: server.databases,
          services: { tenants: new TenantDirectory(server.databases.domains.tenant_info), vault: createVault(server.databases.domains.configuration, null, silentLogger) },
        },
        database: db.options,
        tenantId,
        outDir: join(folder, out),
        signingKey: key,
        operator: 'test-operator',
        audited: (id, name, fn) => auditedWork(audit, { tenantId: id, kind: 'admin', name }, fn),
      };
      return offboardTenant(input);
    };
    const pullPatients = async (org: SeededOrg) => (await org.desk.device.pullAll('master_data')).changes;

    beforeAll(async () => {
      db = await freshDatabase(engine);
      server = await startSyncServer({ port: 0, database: db.options });
      north = await seedOrg(server, 'north');
      south = await seedOrg(server, 'south');
      shared = await sharedPatient(server, north, south);
    });
    afterAll(async () => {
      await closeClientSockets();
      await server?.close();
      await db?.drop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('deletes one org everywhere, keeps the patient another org links, refuses its requests, and certifies it', async () => {
      const southBefore = await countOrgRows(server.databases, 'shared', DOMAINS, south.tenantId);
      const northBefore = await countOrgRows(server.databases, 'shared', DOMAINS, north.tenantId);
      // The seed really put rows in clinical, scheduling and master_data, so the zeros below mean something.
      expect(nonZero(northBefore)).toMatchObject({
        'shared:clinical.encounters': 1,
        'shared:clinical.notes': 1,
        'shared:scheduling.appointments': 1,
        'shared:master_data.tenant_patients': 2,
        'shared:master_data.patients#exclusive': 1,
        'shared:master_data.patients#shared-with-other-orgs': 1,
      });

      const result = await offboard(north.tenantId, 'north');

      // Refused with the clear code over real HTTP, whatever the call; sign-in too.
      expect(await appCodeOf(north.desk.device.pull('master_data'))).toBe('ORG_OFFBOARDED');
      expect(await appCodeOf(north.desk.device.push(north.desk.device.mutation('patient', shared, { givenName: 'X' })))).toBe('ORG_OFFBOARDED');
      expect(
        await appCodeOf(syncClient(server.url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, org: 'north', username: 'desk', password: north.password, deviceId: north.desk.deviceId })),
      ).toBe('ORG_OFFBOARDED');

      // The org's count is zero in every table of every domain database, but for the documented kept rows.
      const northAfter = await countOrgRows(server.databases, 'shared', DOMAINS, north.tenantId);
      const left = Object.keys(nonZero(northAfter)).map((k) => k.replace(/^shared:/, ''));
      expect(left.filter((table) => !Object.hasOwn(KEPT_TABLES, table))).toEqual([]);
      expect(left).toContain('tenant_info.devices');

      // The other org is untouched, row for row, and still served its shared patient's core record.
      // (Its shared patient is now linked by it alone: the patient rows move from one part to the other.)
      const southAfter = await countOrgRows(server.databases, 'shared', DOMAINS, south.tenantId);
      const byTable = (counts: TableCount[]) => {
        const map: Record<string, number> = {};
        for (const c of counts) {
          const key = c.table.startsWith('patients#') ? 'master_data.patients' : countKey(c);
          map[key] = (map[key] ?? 0) + c.rows;
        }
        return map;
      };
      expect(byTable(southAfter)).toEqual(byTable(southBefore));
      const southPatients = await pullPatients(south);
      const sharedSeen = southPatients.filter((change) => change.id === shared).at(-1);
      expect(sharedSeen?.fields).toMatchObject({ givenName: PHI.sharedName, mrn: 'OTHER-1' });
      expect(southPatients.some((change) => change.id === south.ownPatient)).toBe(true);
      expect(await server.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: south.tenantId })).toBe(2);

      // The certificate verifies with the deployment's key, counts before and after, and fails when edited.
      const certificate = JSON.parse(readFileSync(result.certificatePath, 'utf8')) as typeof result.certificate;
      expect(verifyCertificate(certificate, key.publicKeyPem)).toEqual({ ok: true, problems: [] });
      expect(certificate.tables.find((t) => t.table === 'shared:clinical.notes')).toEqual({ table: 'shared:clinical.notes', before: 1, after: 0 });
      expect(certificate.export.manifestSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(certificate.steps.map((s) => s.step)).toEqual(['freeze', 'export', 'count', 'shred', 'delete', 'verify']);
      const tampered = { ...certificate, tables: certificate.tables.map((t) => (t.table === 'shared:clinical.notes' ? { ...t, before: 0 } : t)) };
      expect(verifyCertificate(tampered, key.publicKeyPem).ok).toBe(false);
      const text = JSON.stringify(certificate);
      for (const marker of Object.values(PHI)) expect(text).not.toContain(marker);

      // The new audit chain verifies and holds the offboarding's admin entries, none with PHI.
      const audit = new AuditEvents(server.databases.domains.audit);
      expect((await audit.verify(north.tenantId)).ok).toBe(true);
      const entries = (await audit.list(north.tenantId, { limit: 100 })).entries;
      expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['admin:tenant.offboard.delete', 'admin:tenant.offboard.verify', 'admin:tenant.offboard.mark']));
      for (const marker of Object.values(PHI)) expect(JSON.stringify(entries)).not.toContain(marker);
      expect((await new TenantDirectory(server.databases.domains.tenant_info).get(north.tenantId))?.status).toBe('offboarded');
    });

    it('still accepts the wipe report of a workstation of the offboarded org', async () => {
      const answer = await syncClient(server.url).devices.reportWipe.mutate({
        protocolVersion: PROTOCOL_VERSION,
        tenantId: north.tenantId,
        deviceId: north.desk.deviceId,
        reason: 'org_offboarded',
        wipedAt: new Date().toISOString(),
        proof: north.desk.token,
      });
      expect(answer).toMatchObject({ ok: true });
    });

    it('drops the databases of a dedicated-tier org', async () => {
      const east = await seedOrg(server, 'east');
      await server.databases.placements.moveTenant({ tenantId: east.tenantId, to: 'dedicated' });
      const prefix = db.options.kind === 'postgres' ? `${db.options.databasePrefix}_t_${east.tenantId.replace(/-/g, '').slice(0, 12)}` : '';
      const dedicatedDatabases = async () => {
        const client = new pg.Client({ connectionString: engine.adminUrl });
        await client.connect();
        try {
          const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_database WHERE datname = ANY($1::text[])', [
            DOMAINS.map((domain) => databaseName(prefix, domain)),
          ]);
          return rows[0]!.n;
        } finally {
          await client.end();
        }
      };
      if (engine.name === 'postgres') expect(await dedicatedDatabases()).toBeGreaterThan(0);

      const result = await offboard(east.tenantId, 'east');
      expect(result.certificate.dedicatedDatabasesDropped).toMatch(/dedicated/);
      expect(result.certificate.tables.find((t) => t.table === 'dedicated:clinical.encounters')).toMatchObject({ before: 1, after: null });
      if (engine.name === 'postgres') expect(await dedicatedDatabases()).toBe(0);
      expect((await server.databases.placements.placementOf(east.tenantId)).placement).toBe('shared');
      expect(Object.keys(nonZero(await countOrgRows(server.databases, 'shared', DOMAINS, east.tenantId))).filter((k) => !Object.hasOwn(KEPT_TABLES, k.replace(/^shared:/, '')))).toEqual([]);
      expect(await appCodeOf(east.desk.device.pull('clinical'))).toBe('ORG_OFFBOARDED');
      // The other orgs were not touched by this one either.
      expect(await server.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: south.tenantId })).toBe(2);
    });

    it('refuses to start a second offboarding of the same org in another folder', async () => {
      await expect(offboard(north.tenantId, 'elsewhere')).rejects.toMatchObject({ code: 'CONFLICT' });
    });
  });
}
