import { auditedCommand, withAdminSession, type AdminSession } from '../admin-session.ts';
import type { CliIo, Command } from '../command.ts';
import { json, keyValues } from '../output.ts';
import { CommandFailure } from '../usage.ts';
import { resolveTenantRef, tenantRefFlag } from './tenant-ref.ts';

const KEY_HELP = `Master keyring: CLINICSYNC_VAULT_MASTER_KEY_FILE (a file, mode 0600) or
CLINICSYNC_VAULT_MASTER_KEY, as the server is given; on PGlite without either, the
demo's <data-dir>/vault-master.keys. Lines: "active=KEYID" and "KEYID=BASE64" (32 bytes).`;

/** The vault with the operator's keyring, on the admin session's databases; each org's part is audited as this command. */
async function vaultAdminFor(session: AdminSession, io: CliIo) {
  const { vaultFromEnv, demoKeyringPath } = await import('../../vault/vault-config.ts');
  const { loadKeyring, MasterKeyError } = await import('../../vault/master-keyring.ts');
  const { LocalKeyWrapper } = await import('../../vault/local-key-wrapper.ts');
  const { createVault } = await import('../../vault/vault.ts');
  const { createVaultAdmin } = await import('../../vault/vault-admin.ts');
  const { options } = session.database;
  let wrapper;
  try {
    const dataDir = options.kind === 'pglite' ? options.dataDir : undefined;
    const source = vaultFromEnv(io.env, null)?.masterKey ?? (dataDir ? { kind: 'file' as const, path: demoKeyringPath(dataDir) } : undefined);
    if (!source) throw new MasterKeyError('No vault master key: set CLINICSYNC_VAULT_MASTER_KEY_FILE.');
    wrapper = new LocalKeyWrapper(loadKeyring(source));
  } catch (error) {
    if (error instanceof MasterKeyError) throw new CommandFailure(error.message);
    throw error;
  }
  const { core } = session;
  const vault = createVault(core.databases.domains.configuration, wrapper, core.services.log);
  return createVaultAdmin({
    vault,
    tenants: core.services.tenants,
    audit: core.services.audit,
    audited: (tenantId, name, fn) => auditedCommand(core, name, tenantId, fn),
  });
}

export const vaultRotateMaster: Command = {
  name: 'vault rotate-master',
  summary: "Rewrap every organization's vault data keys under the keyring's active master key.",
  help: `Usage: clinicsync-server vault rotate-master [--json]

Rewraps, org by org, every vault data key not yet wrapped by the active master key. The
servers keep serving meanwhile: give them the new keyring first (new key active, old key
still listed), then run this; remove the old key only when the report shows that no data
key uses it any more.

${KEY_HELP}

  --json   print {masterKeyId, tenants, rewrapped, byMasterKey} as JSON`,
  flags: { json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const report = await withAdminSession(values, io, async (session) => (await vaultAdminFor(session, io)).rotateMaster());
    if (values.json) io.out(json(report));
    else io.out(keyValues(report));
    return 0;
  },
};

export const vaultRotateTenant: Command = {
  name: 'vault rotate-tenant',
  summary: "Give one organization a new vault data key and re-seal its credentials under it.",
  help: `Usage: clinicsync-server vault rotate-tenant --tenant CODE|ID [--json]

Creates the org's next data key version, re-seals every credential under it in small
batches (reads and writes go on meanwhile), then destroys the old version.

${KEY_HELP}

  --tenant CODE|ID   the organization
  --json             print {fromVersion, toVersion, resealed, destroyed} as JSON`,
  flags: { tenant: { type: 'string' }, json: { type: 'boolean' } },
  usesDatabase: true,
  run: async (values, io) => {
    const ref = tenantRefFlag(values, 'vault rotate-tenant');
    const result = await withAdminSession(values, io, async (session) => {
      const tenantId = await resolveTenantRef(session.core, ref, { mustExist: true });
      const admin = await vaultAdminFor(session, io);
      return { tenantId, ...(await admin.rotateTenant(tenantId)) };
    });
    if (values.json) io.out(json(result));
    else io.out(keyValues(result));
    return 0;
  },
};
