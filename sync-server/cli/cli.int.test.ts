import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { dropPostgresDeployment } from '../db/postgres-admin.ts';
import { openServerCore } from '../server.ts';
import { testEngines } from '../testing/engines.ts';
import { closeClientSockets, syncClient } from '../testing/harness.ts';
import { chooseDatabase } from './database.ts';
import { runCli, runCliInProcess, type CliRun } from '../testing/run-cli.ts';

const engines = testEngines(await requirePostgres('sync-server/cli (PostgreSQL)'), testPostgresUrl());

const MAIN = join(import.meta.dirname, 'main.ts');
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * `cli` is the real process, for what only the process shows: an exit code of each kind
 * (0, 1, 2) reaching the shell, output on the real streams with no stack trace, a password
 * read from real stdin, signals. `run` runs the same command line in this process (see
 * runCliInProcess): what a command does and says is the same there, and each fresh
 * process costs seconds to load the engine before it does anything.
 */
const cli = (args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}) => runCli(args, options);
const run = (args: readonly string[], options: { stdin?: string; env?: Record<string, string> } = {}) => runCliInProcess(args, options);

/** Exit 2, one clear sentence on stderr, nothing on stdout, no stack trace. */
function expectUsageError(run: CliRun, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

for (const engine of engines) {
  // A fresh Node process opening the databases takes seconds on a busy machine (`cli`); most checks use `run`.
  describe.skipIf(!engine.available)(`clinicsync-server admin command line (${engine.name})`, { timeout: 180_000 }, () => {
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    const folder = engine.name === 'pglite' ? mkdtempSync(join(tmpdir(), 'clinicsync-cli-')) : '';
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', folder] : ['--database-url', `${new URL(`/${prefix}`, engine.adminUrl).toString()}`];
    const password = `Cli-${randomBytes(9).toString('base64url')}`;
    let north = '';

    afterAll(async () => {
      if (engine.name === 'pglite') rmSync(folder, { recursive: true, force: true });
      else await dropPostgresDeployment(engine.adminUrl, prefix);
    });

    beforeAll(async () => {
      const created = await cli(['tenant', 'create', '--code', 'north', '--name', 'North Clinic', '--json', ...dbArgs]);
      expect(created.code, created.stderr).toBe(0);
      north = (JSON.parse(created.stdout) as { tenantId: string }).tenantId;
    });

    it('creates organizations and lists them as JSON', async () => {
      const second = await run(['tenant', 'create', '--code', 'south', '--name', 'South Vets', '--kind', 'veterinary', ...dbArgs]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/^Created organization "south" \(South Vets\), id [0-9a-f-]{36}\.\n$/);

      const list = await run(['tenant', 'list', '--json', ...dbArgs]);
      expect(list.code, list.stderr).toBe(0);
      const tenants = JSON.parse(list.stdout) as { tenantId: string; code: string; kind: string; tier: string }[];
      expect(tenants.map((t) => [t.code, t.kind, t.tier])).toEqual([
        ['north', 'human', 'shared'],
        ['south', 'veterinary', 'shared'],
      ]);
      expect(tenants[0]!.tenantId).toBe(north);
    });

    it('shows an organization, creates a user (password from stdin, never echoed) and grants a role', async () => {
      const before = await run(['tenant', 'show', '--tenant', 'north', '--json', ...dbArgs]);
      expect(before.code, before.stderr).toBe(0);
      expect(JSON.parse(before.stdout)).toMatchObject({ tenantId: north, code: 'north', members: 0 });

      const user = await cli(['user', 'create', '--tenant', 'north', '--username', 'Front.Desk', '--display-name', 'Front Desk', '--role', 'front_desk', '--password-stdin', ...dbArgs], {
        stdin: `${password}\n`,
      });
      expect(user.code, user.stderr).toBe(0);
      expect(user.stdout).toMatch(/^Created user "front.desk" \(front_desk\), id [0-9a-f-]{36}\.\n$/);
      expect(`${user.stdout}${user.stderr}`).not.toContain(password);

      const viaEnv = await run(['user', 'create', '--tenant', north, '--username', 'doc', '--display-name', 'Doctor', '--role', 'clinician', '--json', ...dbArgs], {
        env: { CLINICSYNC_NEW_USER_PASSWORD: `${password}-2` },
      });
      expect(viaEnv.code, viaEnv.stderr).toBe(0);
      expect(JSON.parse(viaEnv.stdout)).toMatchObject({ tenantId: north, username: 'doc', role: 'clinician' });

      const grant = await run(['user', 'grant', '--tenant', 'north', '--username', 'doc', '--role', 'org_admin', '--json', ...dbArgs]);
      expect(grant.code, grant.stderr).toBe(0);
      expect(JSON.parse(grant.stdout)).toMatchObject({ role: 'org_admin', added: false });

      const after = await run(['tenant', 'show', '--tenant', north, ...dbArgs]);
      expect(after.code, after.stderr).toBe(0);
      expect(after.stdout).toMatch(/^members:\s+2$/m);
    });

    it('issues an enrollment token and verifies the audit chain, which holds an entry per admin command', async () => {
      const token = await run(['device', 'enroll-token', '--tenant', 'north', '--ttl-minutes', '30', '--json', ...dbArgs]);
      expect(token.code, token.stderr).toBe(0);
      expect(JSON.parse(token.stdout)).toMatchObject({ token: expect.any(String), expiresAt: expect.any(String) });

      const verify = await run(['audit', 'verify', '--tenant', 'north', '--json', ...dbArgs]);
      expect(verify.code, verify.stderr).toBe(0);
      const result = JSON.parse(verify.stdout) as { ok: boolean; entries: number; problems: unknown[] };
      expect(result).toMatchObject({ ok: true, problems: [] });

      // Read the org's chain back in-process (the CLI processes have all exited).
      const core = await openServerCore({ database: chooseDatabase(Object.fromEntries([[dbArgs[0]!.slice(2), dbArgs[1]!]]), {}).options });
      try {
        const page = await core.admin.listAudit({ tenantId: north, limit: 100 });
        const actions = page.entries.map((entry) => entry.action);
        for (const action of ['admin:tenant.create', 'admin:tenant.show', 'admin:user.create', 'admin:user.grant', 'admin:device.enroll-token', 'admin:audit.verify']) {
          expect(actions, action).toContain(action);
        }
        expect(page.entries.every((entry) => entry.kind === 'admin' && entry.outcome === 'ok')).toBe(true);
        expect(result.entries).toBeGreaterThanOrEqual(6);
        // An attacker with owner rights edits one entry (past the append-only trigger).
        const edited = await core.databases.inspect('audit', async (sql) => {
          await sql.exec('SET LOCAL session_replication_role = replica');
          return sql.execute(`UPDATE audit.events SET outcome = 'denied' WHERE tenant_id = $1 AND seq = 2`, [north]);
        });
        expect(edited).toBe(1);
      } finally {
        await core.close();
      }
      const broken = await run(['audit', 'verify', '--tenant', 'north', ...dbArgs]);
      expect(broken.code, broken.stderr).toBe(1);
      expect(broken.stdout).toMatch(/BROKEN, \d+ problem\(s\)/);
      expect(broken.stdout).toMatch(/^ {2}seq 2: edited$/m);
    });

    it('answers bad input with exit code 2 and a sentence naming the bad part', async () => {
      expectUsageError(await cli(['frobnicate', ...dbArgs]), /Unknown command "frobnicate"/);
      expectUsageError(await run(['tenant', 'frob', ...dbArgs]), /Unknown tenant command "frob"; expected one of create, list, show, set-tier/);
      expectUsageError(await run(['tenant', 'create', '--code', 'Not A Code!', '--name', 'X', ...dbArgs]), /--code "Not A Code!": must be an organization code/);
      expectUsageError(await run(['tenant', 'create', '--name', 'X', ...dbArgs]), /"tenant create" needs --code/);
      expectUsageError(await run(['tenant', 'create', '--name', 'X', ...dbArgs, '--code']), /The option --code of "tenant create" needs a value/);
      expectUsageError(await run(['tenant', 'list', '--colour', ...dbArgs]), /Unknown option --colour for "tenant list"/);
      expectUsageError(await run(['tenant', 'set-tier', '--tenant', 'north', '--tier', 'platinum', ...dbArgs]), /--tier "platinum": must be one of shared, namespace, dedicated/);
      expectUsageError(await run(['user', 'create', '--tenant', 'north', '--username', 'x', '--display-name', 'X', '--role', 'janitor', ...dbArgs]), /--role "janitor"/);
      const leaked = await cli(['user', 'create', '--tenant', 'north', '--username', 'x', '--display-name', 'X', '--role', 'clinician', '--password', 'hunter2-secret', ...dbArgs]);
      expectUsageError(leaked, /does not take a password as a flag.*--password-stdin/);
      expect(leaked.stderr).not.toContain('hunter2-secret');
      const short = await run(['user', 'create', '--tenant', 'north', '--username', 'x', '--display-name', 'X', '--role', 'clinician', '--password-stdin', ...dbArgs], { stdin: 'tiny\n' });
      expectUsageError(short, /password from stdin must be at least 12 characters/);
      expect(short.stderr).not.toContain('tiny');
      expectUsageError(await run(['device', 'enroll-token', '--tenant', 'north', '--ttl-minutes', 'soon', ...dbArgs]), /--ttl-minutes "soon": must be a whole number/);
      const badUrl = await run(['tenant', 'list', '--database-url', 'mysql://root:pw@db/app']);
      expectUsageError(badUrl, /--database-url must start with postgres:\/\//);
      expect(badUrl.stderr).not.toContain('pw@');
      expectUsageError(await cli([]), /Usage: clinicsync-server <command>/);
    });

    it('fails with exit code 1 and a sentence when the command cannot be done', async () => {
      const unknown = await cli(['tenant', 'show', '--tenant', 'nowhere', ...dbArgs]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^clinicsync-server tenant show: There is no organization with that id or code\.\n$/);
      const unknownCode = await run(['device', 'enroll-token', '--tenant', 'nowhere', ...dbArgs]);
      expect(unknownCode.code).toBe(1);
      expect(unknownCode.stdout).toBe('');
      expect(unknownCode.stderr).toMatch(/^clinicsync-server device enroll-token: No organization has the code "nowhere"\.\n$/);
      const duplicate = await run(['tenant', 'create', '--code', 'north', '--name', 'Again', ...dbArgs]);
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toMatch(/An organization with the code "north" already exists/);
    });

    it('prints help for every command', async () => {
      const help = await run(['tenant', 'create', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Usage: clinicsync-server tenant create --code CODE --name NAME/);
      expect(help.stdout).toMatch(/--database-url postgres:\/\//);
      const overview = await cli(['--help']);
      expect(overview.code).toBe(0);
      for (const command of ['serve', 'migrate', 'tenant create', 'tenant list', 'tenant show', 'tenant set-tier', 'tenant set-policy', 'user create', 'user grant', 'device enroll-token', 'audit verify']) {
        expect(overview.stdout).toContain(`  ${command} `);
      }
    });

    it("changes an organization's workstation policy, and lists workstations with their wipe report", async () => {
      const set = await run(['tenant', 'set-policy', '--tenant', 'north', '--offline-days', '3', '--break-glass-minutes', '30', '--json', ...dbArgs]);
      expect(set.code, set.stderr).toBe(0);
      expect(JSON.parse(set.stdout)).toEqual({
        policy: { offlineUnlockDays: 3, idleLockMinutes: 15, maxUnlockFailures: 5, lockoutMinutes: 15, breakGlassMinutes: 30 },
        requireEnrolledDevices: false,
      });
      const plain = await run(['tenant', 'set-policy', '--tenant', north, '--idle-minutes', '10', ...dbArgs]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(/^offlineUnlockDays:\s+3$/m);
      expect(plain.stdout).toMatch(/^idleLockMinutes:\s+10$/m);
      expect(plain.stdout).toMatch(/^requireEnrolledDevices:\s+false$/m);

      expectUsageError(await run(['tenant', 'set-policy', '--tenant', 'north', '--offline-days', '31', ...dbArgs]), /--offline-days "31": must be a whole number from 0 to 30/);
      expectUsageError(await run(['tenant', 'set-policy', '--tenant', 'north', '--break-glass-minutes', '4', ...dbArgs]), /--break-glass-minutes "4": must be a whole number from 5 to 480/);
      expectUsageError(await run(['tenant', 'set-policy', '--tenant', 'north', '--idle-minutes', 'soon', ...dbArgs]), /--idle-minutes "soon": must be a whole number/);
      expectUsageError(await run(['tenant', 'set-policy', '--tenant', 'north', '--require-enrollment', 'maybe', ...dbArgs]), /--require-enrollment "maybe": must be one of yes, no/);
      expectUsageError(await run(['tenant', 'set-policy', '--tenant', 'north', ...dbArgs]), /"tenant set-policy" needs at least one value to change/);
      expectUsageError(await run(['tenant', 'set-policy', '--offline-days', '3', ...dbArgs]), /"tenant set-policy" needs --tenant/);
      expectUsageError(await run(['tenant', 'set-policy', 'north', '--offline-days', '3', ...dbArgs]), /Unexpected argument "north"/);
      const unknown = await run(['tenant', 'set-policy', '--tenant', 'nowhere', '--offline-days', '3', ...dbArgs]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/No organization has the code "nowhere"/);

      // A workstation enrolled, then reported wiped (in-process: the CLI processes have exited).
      const core = await openServerCore({ database: chooseDatabase(Object.fromEntries([[dbArgs[0]!.slice(2), dbArgs[1]!]]), {}).options });
      const deviceId = uuidv7();
      try {
        const { token } = await core.admin.issueEnrollmentToken({ tenantId: north });
        const redeemed = await core.services.enrollmentTokens.redeem({ tenantId: north, token, deviceId, name: 'Desk W' });
        if (!redeemed.ok) throw new Error('enrollment refused');
        await core.admin.revokeDevice({ tenantId: north, deviceId });
        expect(await core.services.wipeReports.record(north, { deviceId, reason: 'device_revoked', wipedAt: new Date().toISOString(), proof: redeemed.deviceCredential })).toMatchObject({ ok: true });
        expect((await core.admin.showTenant(north)).policy).toMatchObject({ offlineUnlockDays: 3, idleLockMinutes: 10 });
      } finally {
        await core.close();
      }
      const listed = await run(['device', 'list', '--tenant', 'north', ...dbArgs]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toMatch(/^deviceId\s+name\s+enrolledVia\s+enrolledAt\s+lastSeenAt\s+revokedAt\s+wipedAt\s+wipeReason$/m);
      expect(listed.stdout).toMatch(new RegExp(`^${deviceId}\\s+Desk W\\s+token\\s.*\\sdevice_revoked$`, 'm'));
    });

    it('serves what the commands created: a user made by the CLI signs in, and SIGTERM stops the server', async () => {
      const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', ...dbArgs], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`serve did not start: ${stdout}`)), 60_000);
          child.stdout.on('data', () => {
            const match = /listening on (http:\/\/\S+) /.exec(stdout);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          });
        });
        const session = await syncClient(url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, org: 'north', username: 'front.desk', password, deviceId: uuidv7() });
        // With the policy "tenant set-policy" gave the org.
        expect(session).toMatchObject({ tenantId: north, role: 'front_desk', policy: { offlineUnlockDays: 3, idleLockMinutes: 10, breakGlassMinutes: 30 } });
      } finally {
        await closeClientSockets();
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/SIGTERM received, stopping/);
    });
  });
}
