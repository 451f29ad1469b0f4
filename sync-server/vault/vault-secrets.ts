import type { VaultRevealed, VaultSecretKind, VaultSecretView, VaultStoreInput } from '../../shared/api/vault.ts';
import { vaultStoreInput } from '../../shared/api/vault.ts';
import { AppError } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Sql } from '../db/sql.ts';
import { isoTime } from '../db/timestamps.ts';
import { assertVersion } from '../domains/lost-update.ts';
import type { Logger } from '../log.ts';
import { errorCodeOf } from '../log.ts';
import { open, seal } from './aead.ts';
import { activeDataKey, keyRow, unwrapRow, vaultLock } from './data-keys.ts';
import type { KeyWrapper } from './key-wrapper.ts';

/**
 * The org's integration credentials (configuration.vault_secrets). The username and secret
 * are sealed together under the org's data key, authenticated with (org, row id, key
 * version): a sealed value copied to another row or org does not open.
 *
 * Every method takes the caller's AuditTrail and fills it (ids, kind, key version; never a
 * value), so no access can bypass the audit trail: procedures pass ctx.audit, jobs and
 * admin commands the trail of auditedWork.
 */
export const secretContext = (tenantId: string, id: string, keyVersion: number) =>
  Buffer.from(`clinicsync.vault.secret.v1|${tenantId}|${id}|${keyVersion}`);

const ENTITY = 'vault_secret';
const SELECT = `id::text AS id, kind, label, endpoint, key_version AS "keyVersion", version, updated_at AS "updatedAt"`;
type Row = Omit<VaultSecretView, 'updatedAt'> & { updatedAt: Date };
const view = (row: Row): VaultSecretView => ({ ...row, updatedAt: isoTime(row.updatedAt) });

const notFound = () => new AppError('NOT_FOUND', 'No such credential in this organization.');
const duplicateLabel = () => new AppError('CONFLICT', 'This organization already has a credential of that kind with that label.');
export const vaultNotConfigured = () =>
  new AppError('CONFLICT', 'The vault is not configured on this server (its master key is missing). Ask the operator to set CLINICSYNC_VAULT_MASTER_KEY_FILE.');
const cannotOpen = () =>
  new AppError('INTERNAL', 'This credential cannot be opened: it was altered or its key is not available. Store it again.');

interface Payload {
  username: string;
  secret: string;
}

export class VaultSecrets {
  private readonly db: DomainDb;
  private readonly wrapper: KeyWrapper | null;
  private readonly log: Logger;

  constructor(db: DomainDb, wrapper: KeyWrapper | null, log: Logger) {
    this.db = db;
    this.wrapper = wrapper;
    this.log = log;
  }

  keyWrapperOrNull(): KeyWrapper | null {
    return this.wrapper;
  }

  /** The wrapper, or the clear refusal of a server started without a master key. */
  keyWrapper(): KeyWrapper {
    if (!this.wrapper) throw vaultNotConfigured();
    return this.wrapper;
  }

  async list(tenantId: string, kind: VaultSecretKind | undefined, trail: AuditTrail): Promise<VaultSecretView[]> {
    const rows = await this.db.withTenant(tenantId, (sql) =>
      sql.query<Row>(`SELECT ${SELECT} FROM configuration.vault_secrets WHERE tenant_id = $1 AND ($2::text IS NULL OR kind = $2) ORDER BY kind, lower(label) LIMIT 1000`, [
        tenantId,
        kind ?? null,
      ]),
    );
    trail.touched(ENTITY, rows.map((row) => row.id));
    return rows.map(view);
  }

  /** Stores a new credential or replaces one (sealed under the org's active data key). */
  async store(tenantId: string, userId: string, raw: VaultStoreInput, trail: AuditTrail): Promise<VaultSecretView> {
    const input = vaultStoreInput.parse(raw);
    const wrapper = this.keyWrapper();
    const id = input.id ?? uuidv7();
    trail.touched(ENTITY, [id]);
    trail.note('kind', input.kind);
    const row = await this.db.withTenant(tenantId, async (sql) => {
      await vaultLock(sql, tenantId, 'shared');
      if (input.id) {
        const current = await sql.query<{ version: number }>('SELECT version FROM configuration.vault_secrets WHERE tenant_id = $1 AND id = $2 FOR UPDATE', [tenantId, id]);
        if (!current[0]) throw notFound();
        assertVersion('credential', current[0].version, input.expectedVersion);
      }
      const clash = await sql.query('SELECT 1 FROM configuration.vault_secrets WHERE tenant_id = $1 AND id <> $2 AND kind = $3 AND lower(label) = lower($4)', [tenantId, id, input.kind, input.label]);
      if (clash.length > 0) throw duplicateLabel();
      const dataKey = await activeDataKey(sql, wrapper, tenantId);
      const sealed = sealPayload(dataKey.key, tenantId, id, dataKey.version, { username: input.username, secret: input.secret });
      dataKey.key.fill(0);
      const rows = await sql.query<Row>(
        `INSERT INTO configuration.vault_secrets AS s (tenant_id, id, kind, label, endpoint, key_version, sealed, created_by, updated_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         ON CONFLICT (tenant_id, id) DO UPDATE SET kind = EXCLUDED.kind, label = EXCLUDED.label, endpoint = EXCLUDED.endpoint,
           key_version = EXCLUDED.key_version, sealed = EXCLUDED.sealed, updated_by = EXCLUDED.updated_by, version = s.version + 1, updated_at = now()
         RETURNING ${SELECT}`,
        [tenantId, id, input.kind, input.label, input.endpoint, dataKey.version, sealed, userId],
      );
      return rows[0]!;
    });
    trail.note('keyVersion', row.keyVersion);
    return view(row);
  }

  /** Opens one credential for an integration to use. */
  async reveal(tenantId: string, id: string, trail: AuditTrail): Promise<VaultRevealed> {
    const wrapper = this.keyWrapper();
    trail.touched(ENTITY, [id]);
    return this.db.withTenant(tenantId, async (sql) => {
      const rows = await sql.query<{ kind: VaultSecretKind; endpoint: string | null; keyVersion: number; sealed: Uint8Array }>(
        `SELECT kind, endpoint, key_version AS "keyVersion", sealed FROM configuration.vault_secrets WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      const row = rows[0];
      if (!row) throw notFound();
      trail.note('kind', row.kind);
      trail.note('keyVersion', row.keyVersion);
      const payload = await this.openRow(sql, wrapper, tenantId, id, row.keyVersion, row.sealed);
      return { id, kind: row.kind, endpoint: row.endpoint, username: payload.username, secret: payload.secret };
    });
  }

  async remove(tenantId: string, id: string, trail: AuditTrail): Promise<void> {
    trail.touched(ENTITY, [id]);
    const removed = await this.db.withTenant(tenantId, (sql) => sql.execute('DELETE FROM configuration.vault_secrets WHERE tenant_id = $1 AND id = $2', [tenantId, id]));
    if (removed === 0) throw notFound();
  }

  /**
   * Re-seals up to `limit` secrets still under an older key version than `toVersion`
   * (step 2 of a data-key rotation), each opened with its own key. Returns how many moved.
   */
  async resealBatch(tenantId: string, toVersion: number, limit: number): Promise<number> {
    const wrapper = this.keyWrapper();
    return this.db.withTenant(tenantId, async (sql) => {
      await vaultLock(sql, tenantId, 'shared');
      const rows = await sql.query<{ id: string; keyVersion: number; sealed: Uint8Array }>(
        `SELECT id::text AS id, key_version AS "keyVersion", sealed FROM configuration.vault_secrets
         WHERE tenant_id = $1 AND key_version < $2 ORDER BY id LIMIT $3 FOR UPDATE`,
        [tenantId, toVersion, limit],
      );
      if (rows.length === 0) return 0;
      const target = await keyRow(sql, tenantId, toVersion);
      if (!target) throw new Error('rotation target key is missing');
      const newKey = await unwrapRow(wrapper, tenantId, target);
      try {
        for (const row of rows) {
          const payload = await this.openRow(sql, wrapper, tenantId, row.id, row.keyVersion, row.sealed);
          const sealed = sealPayload(newKey, tenantId, row.id, toVersion, payload);
          await sql.execute('UPDATE configuration.vault_secrets SET key_version = $3, sealed = $4 WHERE tenant_id = $1 AND id = $2', [tenantId, row.id, toVersion, sealed]);
        }
      } finally {
        newKey.fill(0);
      }
      return rows.length;
    });
  }

  private async openRow(sql: Sql, wrapper: KeyWrapper, tenantId: string, id: string, keyVersion: number, sealed: Uint8Array): Promise<Payload> {
    const row = await keyRow(sql, tenantId, keyVersion);
    if (!row) throw cannotOpenLogged(this.log, tenantId, id, 'key_missing');
    let key: Buffer;
    try {
      key = await unwrapRow(wrapper, tenantId, row);
    } catch (error) {
      if (error instanceof AppError) throw error; // a destroyed key is its own refusal
      throw cannotOpenLogged(this.log, tenantId, id, `key_${errorCodeOf(error)}`);
    }
    try {
      const parsed: unknown = JSON.parse(open(key, sealed, secretContext(tenantId, id, keyVersion)).toString('utf8'));
      return parsed as Payload;
    } catch (error) {
      throw cannotOpenLogged(this.log, tenantId, id, errorCodeOf(error));
    } finally {
      key.fill(0);
    }
  }
}

function sealPayload(key: Buffer, tenantId: string, id: string, keyVersion: number, payload: Payload): Buffer {
  const plain = Buffer.from(JSON.stringify({ username: payload.username, secret: payload.secret }), 'utf8');
  try {
    return seal(key, plain, secretContext(tenantId, id, keyVersion));
  } finally {
    plain.fill(0);
  }
}

/** A sealed value that does not open is tampering or a lost key: logged (ids and a code only) and refused. */
function cannotOpenLogged(log: Logger, tenantId: string, secretId: string, reason: string): AppError {
  log({ level: 'error', event: 'vault_secret_unopenable', tenantId, secretId, reason });
  return cannotOpen();
}
