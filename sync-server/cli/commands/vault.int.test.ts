import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { AuditTrail } from '../../audit/audit-trail.ts';
import { dropPostgresDeployment } from '../../db/postgres-admin.ts';
import { openServerCore } from '../../server.ts';
import { testEngines } from '../../testing/engines.ts';
import { newKeyEntry } from '../../vault/master-keyring.ts';
import { chooseDatabase } from '../database.ts';
import { runCli, runCliInProcess } from '../../testing/run-cli.ts';

const engines = testEngines(await requirePostgres('sync-server/cli vault (PostgreSQL)'), testPostgresUrl());

// The real process for the command that must work end to end from the shell (`cli`); the
// refusal and the second rotation in this process (`run`, runCliInProcess says why).
const cli = (args: readonly string[], env: Record<string, string>) => runCli(args, { env });
const run = (args: readonly string[], env: Record<string, string>) => runCliInProcess(args, { env });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`clinicsync-server vault (${engine.name})`, { timeout: 180_000 }, () => {
    const folder = mkdtempSync(join(tmpdir(), 'clinicsync-vault-cli-'));
    const prefix = `cs_t${randomBytes(5).toString('hex')}`;
    const dbArgs = engine.name === 'pglite' ? ['--data-dir', join(folder, 'db')] : ['--database-url', new URL(`/${prefix}`, engine.adminUrl).toString()];
    const keyFile = join(folder, 'master.keys');
    const k1 = newKeyEntry('k1');
    const k2 = newKeyEntry('k2');

    afterAll(async () => {
      rmSync(folder, { recursive: true, force: true });
      if (engine.name === 'postgres') await dropPostgresDeployment(engine.adminUrl, prefix);
    });

    /** The deployment the CLI works on, opened in-process with a keyring (as a server would). */
    async function withCore<T>(keyring: string, fn: (core: Awaited<ReturnType<typeof openServerCore>>) => Promise<T>): Promise<T> {
      const database = chooseDatabase({ ...(engine.name === 'pglite' ? { 'data-dir': join(folder, 'db') } : { 'database-url': dbArgs[1]! }) }, {});
      const core = await openServerCore({ database: database.options, vault: { masterKey: { kind: 'env', variable: 'TEST', text: keyring } } });
      try {
        return await fn(core);
      } finally {
        await core.close();
      }
    }

    it('rotate-master rewraps every org to the active key; rotate-tenant re-seals one org; both audited', async () => {
      const { tenantId, secretId } = await withCore(k1, async (core) => {
        const { tenantId } = await core.admin.createTenant({ code: 'vault-cli', name: 'Vault CLI Clinic' });
        const stored = await core.services.vault.secrets.store(tenantId, tenantId, { kind: 'payer_portal', label: 'Portal', secret: 'cli-secret-value' }, new AuditTrail());
        return { tenantId, secretId: stored.id };
      });

      // A keyring file others can read is refused clearly (exit 1).
      writeFileSync(keyFile, `${k1}\n`, { mode: 0o644 });
      const loose = await run(['vault', 'rotate-master', ...dbArgs], { CLINICSYNC_VAULT_MASTER_KEY_FILE: keyFile });
      expect(loose.code).toBe(1);
      expect(loose.stderr).toMatch(/owner only \(chmod 600\)/);

      writeFileSync(keyFile, `active=k2\n${k1}\n${k2}\n`);
      chmodSync(keyFile, 0o600);
      const master = await cli(['vault', 'rotate-master', '--json', ...dbArgs], { CLINICSYNC_VAULT_MASTER_KEY_FILE: keyFile });
      expect(master.code, master.stderr).toBe(0);
      expect(JSON.parse(master.stdout)).toEqual({ masterKeyId: 'k2', tenants: 1, rewrapped: 1, byMasterKey: { k2: 1 } });

      const tenant = await run(['vault', 'rotate-tenant', '--tenant', 'vault-cli', '--json', ...dbArgs], { CLINICSYNC_VAULT_MASTER_KEY_FILE: keyFile });
      expect(tenant.code, tenant.stderr).toBe(0);
      expect(JSON.parse(tenant.stdout)).toEqual({ tenantId, fromVersion: 1, toVersion: 2, resealed: 1, destroyed: 1 });
      expect(`${master.stdout}${tenant.stdout}${tenant.stderr}`).not.toContain('cli-secret-value');

      // A server with only the new key (k1 retired) opens the credential; the audit trail has both commands.
      await withCore(k2, async (core) => {
        expect(await core.services.vault.secrets.reveal(tenantId, secretId, new AuditTrail())).toMatchObject({ secret: 'cli-secret-value' });
        const page = await core.admin.listAudit({ tenantId, kind: 'admin' });
        const actions = page.entries.map((entry) => entry.action);
        expect(actions).toEqual(expect.arrayContaining(['admin:vault.rotate-master', 'admin:vault.rotate-tenant']));
        expect(JSON.stringify(page)).not.toContain('cli-secret-value');
      });
    });
  });
}
