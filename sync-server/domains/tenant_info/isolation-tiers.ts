import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import type { Logger } from '../../log.ts';
import { lockTenant } from './accounts.ts';
import type { IsolationTier } from './tenants.ts';

export interface TierChange {
  tenantId: string;
  from: IsolationTier;
  to: IsolationTier;
  /** Accounts that belonged to this org only and moved into the new namespace as they are. */
  accountsMoved: number;
  /** Shared accounts that also belong to other orgs: this org's membership now points at a copy. */
  accountsCopied: number;
  /** Copies made on the way in that rejoined their original shared account on the way back. */
  accountsRejoined: number;
  /** Memberships in other orgs of the org's own-namespace accounts (never valid), removed on the way back to shared. */
  invalidMembershipsRemoved: number;
}

const ownsNamespace = (tier: IsolationTier) => tier !== 'shared';

/**
 * Sets an org's isolation tier and moves its people between sign-in namespaces in the same
 * transaction, so everyone can sign in before and after with the same password.
 *
 * shared → own namespace: an account that belongs to this org only moves as it is (same
 * id: sessions and audit history stay attached); an account that also belongs to other
 * orgs keeps its shared identity for those, and this org's membership is repointed at a
 * copy in the org's namespace (same login and password hash; its sessions here follow).
 * own → shared: a copy rejoins its original shared account if neither has changed since;
 * the org's other accounts move back to the shared namespace as they are. Logins are
 * unique among an org's members, so neither direction can collide.
 *
 * 'dedicated' is also an own namespace; moving the org's data is placement's job, which
 * calls this once its data has moved.
 */
export class IsolationTiers {
  private readonly db: DomainDb;
  private readonly log: Logger;

  constructor(db: DomainDb, log: Logger) {
    this.db = db;
    this.log = log;
  }

  async set(tenantId: string, to: IsolationTier): Promise<TierChange> {
    const change = await this.db.system('directory: change isolation tier', async (sql) => {
      const { tier: from } = await lockTenant(sql, tenantId);
      const result: TierChange = { tenantId, from, to, accountsMoved: 0, accountsCopied: 0, accountsRejoined: 0, invalidMembershipsRemoved: 0 };
      if (!ownsNamespace(from) && ownsNamespace(to)) Object.assign(result, await intoOwnNamespace(sql, tenantId));
      if (ownsNamespace(from) && !ownsNamespace(to)) Object.assign(result, await backToShared(sql, tenantId));
      await sql.execute('UPDATE tenant_info.tenants SET isolation_tier = $2 WHERE id = $1', [tenantId, to]);
      return result;
    });
    this.log({ level: 'info', event: 'isolation_tier_changed', ...change });
    return change;
  }
}

async function intoOwnNamespace(sql: Sql, tenantId: string): Promise<Partial<TierChange>> {
  const accountsMoved = await sql.execute(
    `UPDATE tenant_info.accounts a SET namespace = $1
     WHERE a.namespace = 'shared'
       AND EXISTS (SELECT 1 FROM tenant_info.memberships m WHERE m.account_id = a.id AND m.tenant_id = $2)
       AND NOT EXISTS (SELECT 1 FROM tenant_info.memberships o WHERE o.account_id = a.id AND o.tenant_id <> $2)`,
    [tenantId, tenantId],
  );
  const multiOrg = await sql.query<{ id: string }>(
    `SELECT a.id::text AS id FROM tenant_info.accounts a
     JOIN tenant_info.memberships m ON m.account_id = a.id AND m.tenant_id = $1
     WHERE a.namespace = 'shared'`,
    [tenantId],
  );
  for (const { id } of multiOrg) {
    const copy = uuidv7();
    await sql.execute(
      `INSERT INTO tenant_info.accounts (id, namespace, login, password_hash, display_name, disabled, copied_from)
       SELECT $2::uuid, $3::text, login, password_hash, display_name, disabled, id FROM tenant_info.accounts WHERE id = $1`,
      [id, copy, tenantId],
    );
    // Sessions of this membership follow through their ON UPDATE CASCADE reference.
    await sql.execute('UPDATE tenant_info.memberships SET account_id = $3 WHERE tenant_id = $1 AND account_id = $2', [tenantId, id, copy]);
  }
  return { accountsMoved, accountsCopied: multiOrg.length };
}

async function backToShared(sql: Sql, tenantId: string): Promise<Partial<TierChange>> {
  // An own-namespace account never belongs to another org; a row claiming so was never
  // honoured at sign-in, and must not become valid once the account is shared.
  const invalidMembershipsRemoved = await sql.execute(
    `DELETE FROM tenant_info.memberships m
     WHERE m.tenant_id <> $1 AND m.account_id IN (SELECT id FROM tenant_info.accounts WHERE namespace = $2)`,
    [tenantId, tenantId],
  );
  // A copy made on the way in rejoins its original (the person's one shared identity, so
  // they can switch orgs again) when nothing about it has diverged: same login, same
  // password hash, original still shared and not yet a member here.
  const rejoin = await sql.query<{ copy: string; original: string }>(
    `SELECT c.id::text AS copy, o.id::text AS original
     FROM tenant_info.accounts c
     JOIN tenant_info.memberships m ON m.account_id = c.id AND m.tenant_id = $1
     JOIN tenant_info.accounts o ON o.id = c.copied_from
     WHERE c.namespace = $2 AND o.namespace = 'shared' AND o.login = c.login AND o.password_hash = c.password_hash
       AND NOT o.disabled AND c.disabled = o.disabled
       AND NOT EXISTS (SELECT 1 FROM tenant_info.memberships om WHERE om.account_id = o.id AND om.tenant_id = $1)`,
    [tenantId, tenantId],
  );
  for (const { copy, original } of rejoin) {
    // Sessions of this membership follow through their ON UPDATE CASCADE reference.
    await sql.execute('UPDATE tenant_info.memberships SET account_id = $3 WHERE tenant_id = $1 AND account_id = $2', [tenantId, copy, original]);
    await sql.execute('DELETE FROM tenant_info.accounts WHERE id = $1', [copy]);
  }
  const accountsMoved = await sql.execute(`UPDATE tenant_info.accounts SET namespace = 'shared', copied_from = NULL WHERE namespace = $1`, [tenantId]);
  return { accountsMoved, accountsRejoined: rejoin.length, invalidMembershipsRemoved };
}
