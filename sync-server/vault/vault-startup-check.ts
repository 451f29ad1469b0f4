import type { DomainDb } from '../db/domain-db.ts';
import type { KeyWrapper } from './key-wrapper.ts';
import { MasterKeyError } from './master-keyring.ts';
import { MASTER_KEY_FILE_VAR } from './vault-config.ts';

/**
 * Refuses to serve when the vault's data keys are wrapped by a master key this server was
 * not given: no keyring at all, or one from which an old key was removed before
 * `vault rotate-master` had rewrapped everything. Serving anyway would fail every use of
 * those credentials later, at the worst moment. (Covers the shared placement, where every
 * org starts; an org on a dedicated placement is checked by `vault rotate-master`.)
 */
export async function checkVaultMasterKeys(configuration: DomainDb, wrapper: KeyWrapper | null): Promise<void> {
  const rows = await configuration.system('vault start-up check: master keys in use', (sql) =>
    sql.query<{ id: string }>(`SELECT DISTINCT master_key_id AS id FROM configuration.vault_data_keys WHERE state <> 'destroyed' ORDER BY 1`),
  );
  const missing = rows.map((row) => row.id).filter((id) => !wrapper?.keyIds.includes(id));
  if (missing.length === 0) return;
  throw new MasterKeyError(
    wrapper
      ? `The vault holds data keys wrapped by master key(s) ${missing.join(', ')}, which are not in this server's keyring. Add them back (they may be removed only after "clinicsync-server vault rotate-master").`
      : `The vault holds data keys but no master key is configured. Set ${MASTER_KEY_FILE_VAR} to the keyring file.`,
  );
}
