import { randomBytes } from 'node:crypto';
import { AppError } from '../../shared/errors.ts';
import type { Sql } from '../db/sql.ts';
import { KEY_BYTES } from './aead.ts';
import type { KeyWrapper } from './key-wrapper.ts';

/**
 * An org's data keys in configuration.vault_data_keys: created, unwrapped, rotated,
 * rewrapped and destroyed. Every function runs inside the caller's withTenant transaction.
 *
 * Locking (one advisory lock per org, `vaultLock`): writes of secrets hold it shared, the
 * two short steps of a data-key rotation (new version; retire the old) hold it exclusively,
 * so no secret is ever committed under a key version that a rotation is destroying.
 */
export type KeyState = 'active' | 'retiring' | 'destroyed';

interface KeyRow {
  version: number;
  state: KeyState;
  masterKeyId: string | null;
  wrapped: Uint8Array | null;
}

const KEY_COLUMNS = `version, state, master_key_id AS "masterKeyId", wrapped_key AS wrapped`;

/** Binds a wrapped data key to its org and version (the KMS encryption context). */
export const dataKeyContext = (tenantId: string, version: number) => Buffer.from(`clinicsync.vault.dek.v1|${tenantId}|${version}`);

export async function vaultLock(sql: Sql, tenantId: string, mode: 'shared' | 'exclusive'): Promise<void> {
  const fn = mode === 'shared' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await sql.query(`SELECT ${fn}(hashtextextended($1, 0))`, [`configuration.vault:${tenantId}`]);
}

export const vaultDestroyed = () =>
  new AppError('CONFLICT', "This organization's vault keys were destroyed (offboarding); its credentials can no longer be stored or opened.");

export interface DataKey {
  version: number;
  key: Buffer;
}

/** Unwraps one data key row; the caller zeroes `key` when done. */
export async function unwrapRow(wrapper: KeyWrapper, tenantId: string, row: KeyRow): Promise<Buffer> {
  if (row.state === 'destroyed' || !row.wrapped || !row.masterKeyId) throw vaultDestroyed();
  return wrapper.unwrap({ masterKeyId: row.masterKeyId, wrapped: Buffer.from(row.wrapped) }, dataKeyContext(tenantId, row.version));
}

export async function keyRow(sql: Sql, tenantId: string, version: number): Promise<KeyRow | null> {
  const rows = await sql.query<KeyRow>(`SELECT ${KEY_COLUMNS} FROM configuration.vault_data_keys WHERE tenant_id = $1 AND version = $2`, [tenantId, version]);
  return rows[0] ?? null;
}

/**
 * The key new secrets are sealed under. An org's first store creates version 1; two first
 * stores at once agree on one key (the loser's insert does nothing and it reads the winner's).
 * An org whose keys were all destroyed gets none: crypto-shred is final.
 */
export async function activeDataKey(sql: Sql, wrapper: KeyWrapper, tenantId: string): Promise<DataKey> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const rows = await sql.query<KeyRow>(
      `SELECT ${KEY_COLUMNS} FROM configuration.vault_data_keys WHERE tenant_id = $1 ORDER BY (state = 'active') DESC, version DESC LIMIT 1`,
      [tenantId],
    );
    const row = rows[0];
    if (row?.state === 'active') return { version: row.version, key: await unwrapRow(wrapper, tenantId, row) };
    if (row) throw vaultDestroyed();
    await insertKey(sql, wrapper, tenantId, 1, 'ON CONFLICT DO NOTHING');
  }
  throw new Error('vault data key could not be created');
}

async function insertKey(sql: Sql, wrapper: KeyWrapper, tenantId: string, version: number, onConflict = ''): Promise<void> {
  const key = randomBytes(KEY_BYTES);
  try {
    const wrapped = await wrapper.wrap(key, dataKeyContext(tenantId, version));
    await sql.execute(
      `INSERT INTO configuration.vault_data_keys (tenant_id, version, state, master_key_id, wrapped_key) VALUES ($1, $2, 'active', $3, $4) ${onConflict}`,
      [tenantId, version, wrapped.masterKeyId, wrapped.wrapped],
    );
  } finally {
    key.fill(0);
  }
}

/**
 * Step 1 of a data-key rotation (exclusive lock held): the active key becomes 'retiring'
 * (it still opens what it sealed) and a new version becomes active. Null when the org has
 * no vault key yet.
 */
export async function addKeyVersion(sql: Sql, wrapper: KeyWrapper, tenantId: string): Promise<{ from: number; to: number } | null> {
  const rows = await sql.query<{ active: number | null; top: number | null }>(
    `SELECT max(version) FILTER (WHERE state = 'active') AS active, max(version) AS top FROM configuration.vault_data_keys WHERE tenant_id = $1`,
    [tenantId],
  );
  const { active, top } = rows[0] ?? { active: null, top: null };
  if (top === null) return null;
  if (active === null) throw vaultDestroyed();
  await sql.execute(`UPDATE configuration.vault_data_keys SET state = 'retiring' WHERE tenant_id = $1 AND version = $2`, [tenantId, active]);
  await insertKey(sql, wrapper, tenantId, top + 1);
  return { from: active, to: top + 1 };
}

/** Step 3 of a data-key rotation (exclusive lock held): retiring keys no secret uses any more are destroyed. */
export async function destroyUnusedRetiring(sql: Sql, tenantId: string): Promise<number> {
  return sql.execute(
    `UPDATE configuration.vault_data_keys k SET state = 'destroyed', wrapped_key = NULL, master_key_id = NULL, destroyed_at = now()
     WHERE k.tenant_id = $1 AND k.state = 'retiring'
       AND NOT EXISTS (SELECT 1 FROM configuration.vault_secrets s WHERE s.tenant_id = k.tenant_id AND s.key_version = k.version)`,
    [tenantId],
  );
}

/**
 * Master-key rotation for one org: every data key wrapped under another master key is
 * unwrapped with that key and wrapped under the active one, row by row. Readers never
 * wait: each row names its master key, and the keyring holds both during the rotation.
 */
export async function rewrapKeys(sql: Sql, wrapper: KeyWrapper, tenantId: string): Promise<number> {
  const rows = await sql.query<KeyRow>(
    `SELECT ${KEY_COLUMNS} FROM configuration.vault_data_keys
     WHERE tenant_id = $1 AND state <> 'destroyed' AND master_key_id <> $2 ORDER BY version FOR UPDATE`,
    [tenantId, wrapper.activeKeyId],
  );
  for (const row of rows) {
    const key = await unwrapRow(wrapper, tenantId, row);
    try {
      const wrapped = await wrapper.wrap(key, dataKeyContext(tenantId, row.version));
      await sql.execute(
        `UPDATE configuration.vault_data_keys SET master_key_id = $3, wrapped_key = $4, rewrapped_at = now() WHERE tenant_id = $1 AND version = $2`,
        [tenantId, row.version, wrapped.masterKeyId, wrapped.wrapped],
      );
    } finally {
      key.fill(0);
    }
  }
  return rows.length;
}

/**
 * Crypto-shred: erases every wrapped data key of the org. Its sealed secrets stay bytes
 * that nothing can open (the master key never saw them; the data keys are gone).
 */
export async function destroyAllKeys(sql: Sql, tenantId: string): Promise<number> {
  return sql.execute(
    `UPDATE configuration.vault_data_keys SET state = 'destroyed', wrapped_key = NULL, master_key_id = NULL, destroyed_at = now()
     WHERE tenant_id = $1 AND state <> 'destroyed'`,
    [tenantId],
  );
}

/** How many data keys each master key wraps (operators check this before removing an old master key). */
export async function keysByMasterKey(sql: Sql, tenantId: string): Promise<Record<string, number>> {
  const rows = await sql.query<{ masterKeyId: string; n: number }>(
    `SELECT master_key_id AS "masterKeyId", count(*)::int AS n FROM configuration.vault_data_keys
     WHERE tenant_id = $1 AND state <> 'destroyed' GROUP BY master_key_id`,
    [tenantId],
  );
  return Object.fromEntries(rows.map((row) => [row.masterKeyId, row.n]));
}
