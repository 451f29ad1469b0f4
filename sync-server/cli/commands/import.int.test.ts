import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { dropPostgresDeployment } from '../../db/postgres-admin.ts';
import { practiceBundle } from '../../testing/import-fixtures.ts';
import { openServerCore, type ServerCore } from '../../server.ts';
import { testEngines } from '../../testing/engines.ts';
import { chooseDatabase } from '../database.ts';
import { runCli, runCliInProcess } from '../../testing/run-cli.ts';

const engines = testEngines(await requirePostgres('sync-server/cli import (PostgreSQL)'), testPostgresUrl());

/**
 * `cli` is the real process, run in the import folder (relative paths resolve there), for
 * the exit codes as the shell sees them; `run` is the same command line in this process
 * (runCliInProcess says why), given absolute paths.
 */
const cli = (args: readonly string[], cwd: string) => runCli(args, { cwd });
const run = (args: readonly string[]) => runCliInProcess(args);

type Counts = Record<string, { read: number; created: number; linked: number; unchanged: number; failed: number }>;

for (const engine of engines) {
  describe.skipIf(!engine.available)(`clinicsync-server import (${engine.name})`, { timeout: 240_000 }, () => {
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-import-cli-'));
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', join(folder, 'db')] : ['--database-url', new URL(`/${prefix}`, engine.adminUrl).toString()];
    const tenants: Record<string, string> = {};

    afterAll(async () => {
      rmSync(folder, { recursive: true, force: true });
      if (engine.name === 'postgres') await dropPostgresDeployment(engine.adminUrl, prefix);
    });

    /** The deployment the CLI wrote, opened in-process afterwards (one process at a time on PGlite). */
    async function withCore<T>(fn: (core: ServerCore) => Promise<T>): Promise<T> {
      const database = chooseDatabase(engine.name === 'pglite' ? { 'data-dir': join(folder, 'db') } : { 'database-url': dbArgs[1]! }, {});
      const core = await openServerCore({ database: database.options });
      try {
        return await fn(core);
      } finally {
        await core.close();
      }
    }

    /** Each org's row counts, read in one opening of the deployment. */
    const rowCounts = (...tenantIds: string[]) =>
      withCore(async (core) => {
        const counted = [];
        for (const tenantId of tenantIds) {
          const count = async (domain: 'master_data' | 'personnel' | 'scheduling', table: string, where = '') =>
            core.databases.domains[domain].withTenant(tenantId, async (sql) => (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 ${where}`, [tenantId]))[0]!.n);
          counted.push({
            patients: await count('master_data', 'master_data.tenant_patients', 'AND NOT deleted'),
            staff: await count('personnel', 'personnel.staff'),
            locations: await count('scheduling', 'scheduling.locations'),
            appointments: await count('scheduling', 'scheduling.appointments', 'AND NOT deleted'),
          });
        }
        return counted;
      });
    const at = (name: string) => join(folder, name);

    beforeAll(async () => {
      for (const code of ['north', 'south', 'west']) {
        const created = await run(['tenant', 'create', '--code', code, '--name', code, '--json', ...dbArgs]);
        expect(created.code, created.stderr).toBe(0);
        tenants[code] = (JSON.parse(created.stdout) as { tenantId: string }).tenantId;
      }
      writeFileSync(join(folder, 'bundle.json'), JSON.stringify(practiceBundle()));
      writeFileSync(join(folder, 'roster.csv'), 'mrn,given_name,family_name,birth_date,sex\nR-1,Rita,Roster,1960-06-06,F\nR-2,Rex,Roster,1961-07-07,M\n');
    });

    it('refuses bad usage with exit 2 before opening anything', async () => {
      const neither = await cli(['import', '--tenant', 'north', ...dbArgs], folder);
      expect(neither.code).toBe(2);
      expect(neither.stderr).toMatch(/needs exactly one of --fhir or --roster/);
      const both = await run(['import', '--tenant', 'north', '--fhir', at('bundle.json'), '--roster', at('roster.csv'), ...dbArgs]);
      expect(both.code).toBe(2);
      const missing = await run(['import', '--tenant', 'north', '--roster', at('nothing-here.csv'), ...dbArgs]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/does not exist/);
      const help = await run(['import', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--roster FILE\.csv/);
    });

    it('imports a Bundle (exit 1: two rows failed), again without change, a clean roster (exit 0), and audits each run without PHI', async () => {
      const first = await cli(['import', '--tenant', 'north', '--fhir', 'bundle.json', '--report', 'r1.ndjson', '--json', ...dbArgs], folder);
      expect(first.code, first.stderr).toBe(1);
      expect(first.stderr).toBe('');
      const summary = JSON.parse(first.stdout) as { counts: Counts; errors: number; report: string };
      expect(summary.counts.patients).toEqual({ read: 4, created: 3, linked: 0, unchanged: 0, failed: 1 });
      expect(summary.counts.appointments).toEqual({ read: 4, created: 3, linked: 0, unchanged: 0, failed: 1 });
      expect(summary.errors).toBe(2);
      expect(summary.report).toBe(join(folder, 'r1.ndjson'));
      expect(statSync(summary.report).mode & 0o777).toBe(0o600);
      expect(first.stdout).not.toMatch(/Lovelace|Hopper|M-1|1975/);

      const again = await run(['import', '--tenant', tenants.north!, '--fhir', at('bundle.json'), '--report', at('r2.ndjson'), ...dbArgs]);
      expect(again.code).toBe(1);
      expect(again.stdout).toMatch(/patients +4 read: 0 created, 0 linked, 3 already present, 1 failed/);
      expect(again.stdout).toMatch(/appointments +4 read: 0 created, 0 linked, 3 already present, 1 failed/);
      expect(await rowCounts(tenants.north!)).toEqual([{ patients: 3, staff: 2, locations: 2, appointments: 3 }]);

      const roster = await run(['import', '--tenant', 'north', '--roster', at('roster.csv'), '--report', at('r3.ndjson'), ...dbArgs]);
      expect(roster.code, roster.stdout).toBe(0);
      expect(roster.stdout).toMatch(/patients +2 read: 2 created, 0 linked, 0 already present, 0 failed/);
      expect(await rowCounts(tenants.north!, tenants.west!)).toEqual([
        { patients: 5, staff: 2, locations: 2, appointments: 3 },
        { patients: 0, staff: 0, locations: 0, appointments: 0 },
      ]);

      const entries = await withCore(async (core) => (await core.services.audit.list(tenants.north!, { limit: 100, action: 'admin:import' })).entries);
      expect(entries).toHaveLength(3);
      const newest = entries[0]!;
      expect(newest.outcome).toBe('ok');
      expect(newest.detail).toMatchObject({ source: 'roster', 'patients.read': 2, 'patients.created': 2, errors: 0, via: 'cli' });
      expect(JSON.stringify(entries)).not.toMatch(/Roster|Rita|Lovelace|R-1|M-1|roster\.csv|bundle\.json/);
    });

    it('round trip: what `export` wrote of one org imports into a fresh org with the same counts', async () => {
      const out = join(folder, 'export-north');
      const exported = await run(['export', '--tenant', 'north', '--out', out, ...dbArgs]);
      expect(exported.code, exported.stderr).toBe(0);
      const imported = await run(['import', '--tenant', 'south', '--fhir', out, '--report', at('r4.ndjson'), '--json', ...dbArgs]);
      expect(imported.code, readFileSync(join(folder, 'r4.ndjson'), 'utf8')).toBe(0);
      const counts = (JSON.parse(imported.stdout) as { counts: Counts }).counts;
      // Ada carries north's national id: the strong match links her; the rest are new to south.
      expect(counts.patients).toEqual({ read: 5, created: 4, linked: 1, unchanged: 0, failed: 0 });
      expect(counts.appointments).toEqual({ read: 3, created: 3, linked: 0, unchanged: 0, failed: 0 });
      const [south, north] = await rowCounts(tenants.south!, tenants.north!);
      expect(south).toEqual(north);

      // Importing the export again changes nothing.
      mkdirSync(join(folder, 'again'), { recursive: true });
      const second = await run(['import', '--tenant', 'south', '--fhir', out, '--report', join(folder, 'again', 'r5.ndjson'), '--json', ...dbArgs]);
      expect(second.code).toBe(0);
      expect((JSON.parse(second.stdout) as { counts: Counts }).counts.patients).toEqual({ read: 5, created: 0, linked: 0, unchanged: 5, failed: 0 });
      const [southAgain, northAgain] = await rowCounts(tenants.south!, tenants.north!);
      expect(southAgain).toEqual(northAgain);
    });
  });
}
