import type { AuditTrail } from '../audit/audit-trail.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Logger } from '../log.ts';
import { addKeyVersion, destroyAllKeys, destroyUnusedRetiring, keysByMasterKey, rewrapKeys, vaultLock } from './data-keys.ts';
import type { VaultSecrets } from './vault-secrets.ts';

export interface TenantKeyRotation {
  /** Null when the org has no vault key yet (nothing to rotate). */
  fromVersion: number | null;
  toVersion: number | null;
  resealed: number;
  /** Old key versions destroyed once nothing was sealed under them. */
  destroyed: number;
}

const RESEAL_BATCH = 100;

/**
 * Key management of one org's vault: data-key rotation, master-key rewrap, crypto-shred.
 * Each runs while the org keeps reading and writing its credentials: old key versions open
 * what they sealed until the rotation has re-sealed it, and each data key row names the
 * master key that wrapped it. Like VaultSecrets, every method fills the caller's trail.
 */
export class VaultKeys {
  private readonly db: DomainDb;
  private readonly secrets: VaultSecrets;
  private readonly log: Logger;

  constructor(db: DomainDb, secrets: VaultSecrets, log: Logger) {
    this.db = db;
    this.secrets = secrets;
    this.log = log;
  }

  /**
   * A new data key version for the org, every secret re-sealed under it in batches (one
   * short transaction each), then the old versions destroyed. Interrupted, running it again
   * finishes the re-sealing under a yet newer version.
   */
  async rotateTenantKey(tenantId: string, trail: AuditTrail): Promise<TenantKeyRotation> {
    const wrapper = this.secrets.keyWrapper();
    trail.touched('vault_data_key', []);
    const step = await this.db.withTenant(tenantId, async (sql) => {
      await vaultLock(sql, tenantId, 'exclusive');
      return addKeyVersion(sql, wrapper, tenantId);
    });
    if (!step) {
      trail.note('rotated', false);
      return { fromVersion: null, toVersion: null, resealed: 0, destroyed: 0 };
    }
    let resealed = 0;
    for (;;) {
      const moved = await this.secrets.resealBatch(tenantId, step.to, RESEAL_BATCH);
      if (moved === 0) break;
      resealed += moved;
    }
    const destroyed = await this.db.withTenant(tenantId, async (sql) => {
      await vaultLock(sql, tenantId, 'exclusive');
      return destroyUnusedRetiring(sql, tenantId);
    });
    const result = { fromVersion: step.from, toVersion: step.to, resealed, destroyed };
    for (const [key, value] of Object.entries(result)) trail.note(key, value ?? 0);
    this.log({ level: 'info', event: 'vault_data_key_rotated', tenantId, ...result });
    return result;
  }

  /** Rewraps the org's data keys under the active master key; returns how many moved and what each master key still wraps. */
  async rewrapToActiveMaster(tenantId: string, trail: AuditTrail): Promise<{ rewrapped: number; byMasterKey: Record<string, number> }> {
    const wrapper = this.secrets.keyWrapper();
    trail.touched('vault_data_key', []);
    const result = await this.db.withTenant(tenantId, async (sql) => ({
      rewrapped: await rewrapKeys(sql, wrapper, tenantId),
      byMasterKey: await keysByMasterKey(sql, tenantId),
    }));
    trail.note('masterKeyId', wrapper.activeKeyId);
    trail.note('rewrapped', result.rewrapped);
    if (result.rewrapped > 0) this.log({ level: 'info', event: 'vault_master_rewrapped', tenantId, masterKeyId: wrapper.activeKeyId, rewrapped: result.rewrapped });
    return result;
  }

  /**
   * Crypto-shred (offboarding): every wrapped data key of the org is erased, so its sealed
   * credentials can never be opened again, by anyone holding any master key. Needs no
   * master key, and is idempotent.
   */
  async shred(tenantId: string, trail: AuditTrail): Promise<{ destroyedKeys: number }> {
    trail.touched('vault_data_key', []);
    const destroyedKeys = await this.db.withTenant(tenantId, async (sql) => {
      await vaultLock(sql, tenantId, 'exclusive');
      return destroyAllKeys(sql, tenantId);
    });
    trail.note('destroyedKeys', destroyedKeys);
    this.log({ level: 'info', event: 'vault_shredded', tenantId, destroyedKeys });
    return { destroyedKeys };
  }
}
