import type { Domain } from '../../shared/domains.ts';
import type { PhysicalDatabases } from '../db/domain-db.ts';
import { ident } from '../db/sql.ts';
import { removeChain } from '../domains/audit/chain-removal.ts';
import { isKept, pseudonymSql, SCRUBBED_DEVICE_NAME, SCRUBBED_DISPLAY_NAME, UNUSABLE_PASSWORD_HASH } from './kept-rows.ts';
import { asOwnerFor, orgFilters, tablesOf } from './org-rows.ts';

/**
 * Deletes the org's rows in every table of the given domains of one deployment (found in
 * the catalog, as the count found them), except the kept ones (kept-rows.ts). One
 * transaction per domain. `session_replication_role = replica` (superuser, as for tenant
 * moves) lets the rows go in any order: foreign keys inside the org and the audit
 * trail's append-only trigger do not fire. Patient cores only this org links go first,
 * while its links still show which they are. Idempotent: a second run deletes nothing.
 */
export async function deleteOrgRows(dbs: PhysicalDatabases, domains: readonly Domain[], tenantId: string): Promise<number> {
  let deleted = 0;
  for (const domain of domains) {
    if (domain === 'audit') {
      // The chain goes as a whole (never single entries); the next entry starts a new one.
      deleted += await asOwnerFor(dbs, domain, tenantId, (sql) => removeChain(sql, tenantId));
      continue;
    }
    deleted += await asOwnerFor(dbs, domain, tenantId, async (sql) => {
      await sql.exec('SET LOCAL session_replication_role = replica');
      let n = 0;
      const tables = await tablesOf(sql, domain);
      if (domain === 'master_data') {
        const exclusive = orgFilters('master_data', { table: 'patients', hasTenant: false }).exclusive!;
        n += await sql.execute(`DELETE FROM master_data.patients t WHERE ${exclusive}`, [tenantId]);
      }
      for (const table of tables) {
        if (!table.hasTenant || isKept(domain, table.table)) continue;
        n += await sql.execute(`DELETE FROM ${ident(domain)}.${ident(table.table)} WHERE tenant_id = $1::uuid`, [tenantId]);
      }
      return n;
    });
  }
  return deleted;
}

/**
 * Takes the names out of the kept rows (kept-rows.ts): accounts only this org used get a
 * pseudonym (the membership's login follows through ON UPDATE CASCADE, so this runs
 * without replica mode), workstations a neutral name, and every session is revoked.
 */
export async function scrubKeptRows(dbs: PhysicalDatabases, tenantId: string): Promise<void> {
  await asOwnerFor(dbs, 'tenant_info', tenantId, async (sql) => {
    const exclusive = orgFilters('tenant_info', { table: 'accounts', hasTenant: false }).exclusive!;
    await sql.execute(
      `UPDATE tenant_info.accounts t SET login = ${pseudonymSql('t')}, display_name = $2, password_hash = $3, disabled = true
       WHERE ${exclusive} AND t.login <> ${pseudonymSql('t')}`,
      [tenantId, SCRUBBED_DISPLAY_NAME, UNUSABLE_PASSWORD_HASH],
    );
    await sql.execute('UPDATE tenant_info.devices SET name = $2 WHERE tenant_id = $1 AND name <> $2', [tenantId, SCRUBBED_DEVICE_NAME]);
    await sql.execute('UPDATE tenant_info.sessions SET revoked_at = now() WHERE tenant_id = $1 AND revoked_at IS NULL', [tenantId]);
  });
}

/**
 * What is wrong with the kept rows after deletion, one sentence each (empty: nothing):
 * a name left in them, an audit entry from before the deletion, a patient core nobody links.
 */
export async function keptRowProblems(dbs: PhysicalDatabases, tenantId: string, deletedAt: string): Promise<string[]> {
  const problems: string[] = [];
  await asOwnerFor(dbs, 'tenant_info', tenantId, async (sql) => {
    const exclusive = orgFilters('tenant_info', { table: 'accounts', hasTenant: false }).exclusive!;
    const [accounts] = await sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM tenant_info.accounts t WHERE ${exclusive} AND (t.login <> ${pseudonymSql('t')} OR t.display_name <> $2 OR NOT t.disabled)`,
      [tenantId, SCRUBBED_DISPLAY_NAME],
    );
    if (accounts?.n) problems.push(`tenant_info.accounts: ${accounts.n} account(s) only this org used still carry their names`);
    const [devices] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.devices WHERE tenant_id = $1 AND name <> $2', [tenantId, SCRUBBED_DEVICE_NAME]);
    if (devices?.n) problems.push(`tenant_info.devices: ${devices.n} workstation(s) still carry their names`);
    const [sessions] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM tenant_info.sessions WHERE tenant_id = $1 AND revoked_at IS NULL', [tenantId]);
    if (sessions?.n) problems.push(`tenant_info.sessions: ${sessions.n} session(s) not revoked`);
  });
  await asOwnerFor(dbs, 'audit', tenantId, async (sql) => {
    const [old] = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events WHERE tenant_id = $1 AND occurred_at < $2::timestamptz', [tenantId, deletedAt]);
    if (old?.n) problems.push(`audit.events: ${old.n} entr(ies) from before the deletion remain`);
  });
  return problems;
}
