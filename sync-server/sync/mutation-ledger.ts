import type { SyncedDomain } from '../../shared/domains.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import { ident, type Sql } from '../db/sql.ts';

/**
 * Idempotency on (tenant, mutationId), in the same database and transaction as the data.
 * The claim is an INSERT ... ON CONFLICT DO NOTHING, so a concurrent replay of the same
 * mutation waits for the first to commit and then sees it as a duplicate.
 */
export async function claimMutation(sql: Sql, domain: SyncedDomain, tenantId: string, deviceId: string, mutation: Mutation): Promise<boolean> {
  const inserted = await sql.execute(
    `INSERT INTO ${ident(domain)}.applied_mutations (tenant_id, mutation_id, entity, entity_id, device_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, mutation_id) DO NOTHING`,
    [tenantId, mutation.mutationId, mutation.entity, mutation.id, deviceId],
  );
  return inserted === 1;
}

/** A rejected mutation is not recorded: the device may correct it and send it again. */
export async function releaseMutation(sql: Sql, domain: SyncedDomain, tenantId: string, mutationId: string): Promise<void> {
  await sql.execute(`DELETE FROM ${ident(domain)}.applied_mutations WHERE tenant_id = $1 AND mutation_id = $2`, [tenantId, mutationId]);
}
