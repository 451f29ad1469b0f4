import { join } from 'node:path';
import { MasterKeyError, parseKeyring, type MasterKeySource } from './master-keyring.ts';

/** How the server finds the vault's master keyring (SyncServerOptions.vault). */
export interface VaultOptions {
  masterKey: MasterKeySource;
}

export const MASTER_KEY_FILE_VAR = 'CLINICSYNC_VAULT_MASTER_KEY_FILE';
export const MASTER_KEY_VAR = 'CLINICSYNC_VAULT_MASTER_KEY';

/** The demo's generated keyring inside the PGlite data folder. */
export const demoKeyringPath = (dataDir: string) => join(dataDir, 'vault-master.keys');

/**
 * The master keyring named by the environment: a file (CLINICSYNC_VAULT_MASTER_KEY_FILE)
 * or the keyring text itself (CLINICSYNC_VAULT_MASTER_KEY), never both. The text form is
 * checked here, so a malformed key stops the start. Without either, the demo generates one
 * into its data folder (`demoDataDir`); otherwise the vault is off (undefined), and a
 * server whose databases hold vault keys then refuses to start (vault-startup-check.ts).
 */
export function vaultFromEnv(env: Record<string, string | undefined>, demoDataDir: string | null): VaultOptions | undefined {
  const file = env[MASTER_KEY_FILE_VAR];
  const text = env[MASTER_KEY_VAR];
  if (file && text) throw new MasterKeyError(`Set either ${MASTER_KEY_FILE_VAR} or ${MASTER_KEY_VAR}, not both.`);
  if (file) return { masterKey: { kind: 'file', path: file } };
  if (text) {
    parseKeyring(text, MASTER_KEY_VAR);
    return { masterKey: { kind: 'env', variable: MASTER_KEY_VAR, text } };
  }
  return demoDataDir === null ? undefined : { masterKey: { kind: 'generated', path: demoKeyringPath(demoDataDir) } };
}
