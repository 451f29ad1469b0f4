import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS } from '../../shared/domains.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { PAUSE_AFTER_VAR } from '../cli/commands/tenant-offboard.ts';
import { dropPostgresDeployment } from '../db/postgres-admin.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { openServerCore, startSyncServer } from '../server.ts';
import { testEngines } from '../testing/engines.ts';
import { closeClientSockets } from '../testing/harness.ts';
import { verifyCertificate, type DeletionCertificate } from './deletion-certificate.ts';
import { KEPT_TABLES } from './kept-rows.ts';
import { PHI, seedOrg, sharedPatient, type SeededOrg } from '../testing/offboard-fixture.ts';
import { OFFBOARD_STEPS, readJournal } from './offboard-journal.ts';
import { countKey, countOrgRows } from './org-rows.ts';
import { SIGNING_KEY_FILE_VAR } from './signing-key.ts';

const engines = testEngines(await requirePostgres('sync-server/offboard resume (PostgreSQL)'), testPostgresUrl());
const MAIN = join(import.meta.dirname, '..', 'cli', 'main.ts');
const ROOT = join(import.meta.dirname, '..', '..');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The real command in a child process. With `killAfter`, it is told to pause right after
 * that step's work (before the step is recorded) and is then killed with SIGKILL there:
 * the worst moment, when the work is done but the journal does not know it.
 */
function offboardCli(args: readonly string[], env: Record<string, string>, killAfter?: string): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, ...(killAfter ? { [PAUSE_AFTER_VAR]: killAfter } : {}) };
  for (const name of ['CLINICSYNC_DATABASE_URL', 'DATABASE_URL', 'CLINICSYNC_DATA_DIR', 'CLINICSYNC_LOG_LEVEL']) delete childEnv[name];
  if (!killAfter) delete childEnv[PAUSE_AFTER_VAR];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, 'tenant', 'offboard', ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (killAfter && stderr.includes(`paused after ${killAfter}`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`tenant offboard, killed with SIGKILL at every step (${engine.name})`, { timeout: 600_000 }, () => {
    const work = mkdtempSync(join(tmpdir(), 'clinicsync-offboard-kill-'));
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    const options: DatabaseOptions = engine.name === 'pglite' ? { kind: 'pglite', dataDir: join(work, 'data') } : { kind: 'postgres', adminUrl: engine.adminUrl, databasePrefix: prefix, poolSize: 3 };
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', join(work, 'data')] : ['--database-url', new URL(`/${prefix}`, engine.adminUrl).toString()];
    const keyFile = join(work, 'signing.key');
    const env: Record<string, string> = engine.name === 'postgres' ? { [SIGNING_KEY_FILE_VAR]: keyFile } : {};
    const out = join(work, 'out');
    let north: SeededOrg;
    let south: SeededOrg;

    beforeAll(async () => {
      writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      const server = await startSyncServer({ port: 0, database: options });
      try {
        north = await seedOrg(server, 'north');
        south = await seedOrg(server, 'south');
        await sharedPatient(server, north, south);
      } finally {
        await closeClientSockets();
        await server.close();
      }
    });
    afterAll(async () => {
      if (engine.name === 'postgres') await dropPostgresDeployment(engine.adminUrl, prefix);
      rmSync(work, { recursive: true, force: true });
    });

    it('completes after a kill -9 right after each step, without redoing a finished one, with the same final state', async () => {
      for (const [index, step] of OFFBOARD_STEPS.entries()) {
        const run = await offboardCli(['--tenant', 'north', '--out', out, ...dbArgs], env, step);
        expect(run.signal, `${step}: ${run.stderr}`).toBe('SIGKILL');
        // The journal knows every earlier step as finished, and this one as started only.
        const journal = readJournal(out)!;
        for (const earlier of OFFBOARD_STEPS.slice(0, index)) expect(journal.steps[earlier]?.finishedAt, earlier).toBeDefined();
        expect(journal.steps[step]?.finishedAt, step).toBeUndefined();
      }
      const last = await offboardCli(['--tenant', 'north', '--out', out, '--json', ...dbArgs], env);
      expect(last.code, last.stderr).toBe(0);
      const summary = JSON.parse(last.stdout) as { certificatePath: string; alreadyDone: string[] };
      expect(summary.alreadyDone).toEqual(OFFBOARD_STEPS.slice(0, -1));

      // A run after completion changes nothing and says so.
      const again = await offboardCli(['--tenant', 'north', '--out', out, '--json', ...dbArgs], env);
      expect(again.code, again.stderr).toBe(0);
      expect((JSON.parse(again.stdout) as { alreadyDone: string[] }).alreadyDone).toEqual([...OFFBOARD_STEPS]);

      const certificate = JSON.parse(readFileSync(summary.certificatePath, 'utf8')) as DeletionCertificate;
      const publicKey = readFileSync(join(out, 'certificate-signing-key.pub.pem'), 'utf8');
      expect(verifyCertificate(certificate, publicKey)).toEqual({ ok: true, problems: [] });
      // The counts before deletion survived every kill: taken once, before anything was deleted.
      expect(certificate.tables.find((t) => t.table === 'shared:clinical.notes')).toEqual({ table: 'shared:clinical.notes', before: 1, after: 0 });
      expect(certificate.tables.find((t) => t.table === 'shared:master_data.patients#exclusive')).toEqual({ table: 'shared:master_data.patients#exclusive', before: 1, after: 0 });
      const manifest = readFileSync(join(out, 'export', 'manifest.json'));
      expect(certificate.export.manifestSha256).toBe(createHash('sha256').update(manifest).digest('hex'));
      expect(JSON.stringify(certificate)).not.toContain(PHI.note);

      const core = await openServerCore({ database: options });
      try {
        const left = (await countOrgRows(core.databases, 'shared', DOMAINS, north.tenantId)).filter((c) => c.rows > 0 && !Object.hasOwn(KEPT_TABLES, `${c.domain}.${c.table}`));
        expect(left.map(countKey)).toEqual([]);
        expect((await core.services.tenants.get(north.tenantId))?.status).toBe('offboarded');
        expect(await core.admin.countRows({ domain: 'master_data', table: 'patients', tenantId: south.tenantId })).toBe(2);
        expect(await core.admin.countRows({ domain: 'clinical', table: 'notes', tenantId: south.tenantId })).toBe(1);
        expect((await core.services.audit.verify(north.tenantId)).ok).toBe(true);
      } finally {
        await core.close();
      }
      // On PGlite without a key file the deployment's key was generated in its data folder, once.
      if (engine.name === 'pglite') expect(existsSync(join(work, 'data', 'certificate-signing.key'))).toBe(true);
    });
  });
}
