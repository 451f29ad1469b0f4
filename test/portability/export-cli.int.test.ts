import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPostgresDeployment } from '../../sync-server/db/postgres-admin.ts';
import type { DatabaseOptions } from '../../sync-server/db/open-databases.ts';
import { seedDemo } from '../../sync-server/demo/seed.ts';
import { openServerCore } from '../../sync-server/server.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { assertValidR4, type Resource } from '../support/fhir-r4.ts';
import { requirePostgres, testPostgresUrl } from '../support/postgres.ts';
import { readExport } from './export-fixture.ts';
import { runCli } from '../../sync-server/testing/run-cli.ts';

const engines = testEngines(await requirePostgres('test/portability export command (PostgreSQL)'), testPostgresUrl());

const cli = (args: readonly string[]) => runCli(args);

for (const engine of engines) {
  describe.skipIf(!engine.available)(`clinicsync-server export (${engine.name})`, { timeout: 240_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'clinicsync-export-cli-'));
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    const database: DatabaseOptions = engine.name === 'pglite' ? { kind: 'pglite', dataDir: join(work, 'db') } : { kind: 'postgres', adminUrl: engine.adminUrl, databasePrefix: prefix, poolSize: 3 };
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', join(work, 'db')] : ['--database-url', new URL(`/${prefix}`, engine.adminUrl).toString()];

    beforeAll(async () => {
      // The demo's two orgs (patients, staff, locations, schedules, appointments), seeded in-process and closed again.
      const core = await openServerCore({ database });
      try {
        await seedDemo(core.services, core.admin);
      } finally {
        await core.close();
      }
    });
    afterAll(async () => {
      rmSync(work, { recursive: true, force: true });
      if (engine.name === 'postgres') await dropPostgresDeployment(engine.adminUrl, prefix);
    });

    it('exports an org by code end to end: valid FHIR files, CSVs, README and manifest, audited', async () => {
      const out = join(work, 'northside');
      const run = await cli(['export', '--tenant', 'northside', '--out', out, '--json', ...dbArgs]);
      expect(run.code, run.stderr).toBe(0);
      const manifest = JSON.parse(run.stdout) as { output: { type: string; count: number }[]; extension: { clinicsync: { tenantId: string } } };
      const counts = Object.fromEntries(manifest.output.map((entry) => [entry.type, entry.count]));
      expect(counts).toMatchObject({ Organization: 1, Patient: expect.any(Number), Appointment: expect.any(Number), Practitioner: expect.any(Number), Location: expect.any(Number) });
      expect(counts.Patient).toBeGreaterThan(10);
      expect(counts.Appointment).toBeGreaterThan(10);
      const exported = readExport(out);
      for (const resources of exported.resources.values()) for (const resource of resources) assertValidR4(resource as Resource);
      expect(exported.files.has('README.md')).toBe(true);
      expect(exported.files.get('operational/locations.csv')!.split('\n')[0]).toBe('id,name,kind,active,version,created_at,updated_at');
      expect(statSync(join(out, 'Patient.ndjson')).mode & 0o077).toBe(0);
      // Lakeview's patients are not in Northside's export.
      const other = await cli(['export', '--tenant', 'lakeview', '--out', join(work, 'lakeview'), '--json', ...dbArgs]);
      expect(other.code, other.stderr).toBe(0);
      const lakeviewIds = [...readExport(join(work, 'lakeview')).resources.get('Patient')!].map((patient) => patient.id as string);
      const text = [...exported.files.values()].join('\n');
      expect(lakeviewIds.filter((id) => text.includes(id))).toEqual([]);
      // The command is on the org's audit trail.
      const audit = exported.files.get('operational/audit_events.ndjson')!;
      expect(audit.length).toBeGreaterThan(0);
      const trail = await cli(['audit', 'verify', '--tenant', 'northside', '--json', ...dbArgs]);
      expect(trail.code, trail.stderr).toBe(0);
      const again = readExportAudit(await cli(['export', '--tenant', 'northside', '--out', join(work, 'northside-2'), '--json', ...dbArgs]), join(work, 'northside-2'));
      expect(again).toContain('"action":"admin:export"');
    });

    it('refuses a folder that is not empty (exit 1), an unknown org (exit 1) and a missing --out (exit 2)', async () => {
      const busy = join(work, 'busy');
      rmSync(busy, { recursive: true, force: true });
      await import('node:fs/promises').then((fs) => fs.mkdir(busy));
      writeFileSync(join(busy, 'keep.txt'), 'x');
      const full = await cli(['export', '--tenant', 'northside', '--out', busy, ...dbArgs]);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/is not empty/);
      const unknown = await cli(['export', '--tenant', 'nosuchorg', '--out', join(work, 'x'), ...dbArgs]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No organization has the code "nosuchorg"/);
      const usage = await cli(['export', '--tenant', 'northside', ...dbArgs]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/--out/);
    });
  });
}

/** The audit file of a second export: it holds the first export's own admin:export entry. */
function readExportAudit(run: { code: number | null; stderr: string }, dir: string): string {
  expect(run.code, run.stderr).toBe(0);
  return readExport(dir).files.get('operational/audit_events.ndjson')!;
}
