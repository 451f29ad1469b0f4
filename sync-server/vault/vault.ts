import type { DomainDb } from '../db/domain-db.ts';
import type { Logger } from '../log.ts';
import type { KeyWrapper } from './key-wrapper.ts';
import { VaultKeys } from './vault-keys.ts';
import { VaultSecrets } from './vault-secrets.ts';

/** The per-org vault as services see it: credentials, and the keys they are sealed under. */
export interface Vault {
  secrets: VaultSecrets;
  keys: VaultKeys;
}

/** Null wrapper: a server without a master key; every vault use answers that clearly. */
export function createVault(configuration: DomainDb, wrapper: KeyWrapper | null, log: Logger): Vault {
  const secrets = new VaultSecrets(configuration, wrapper, log);
  return { secrets, keys: new VaultKeys(configuration, secrets, log) };
}
