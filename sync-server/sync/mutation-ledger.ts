import type { SyncedDomain } from '../../shared/domains.ts';
import type { FieldConflict, Mutation } from '../../shared/sync/mutation.ts';
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

/**
 * Claims a whole batch in ONE statement (a round trip per mutation was most of a replay's
 * cost); returns the mutation ids newly claimed. Same semantics as claimMutation for each:
 * an id already in the ledger (or twice in the batch) is claimed once, and a concurrent
 * replay of the same ids waits for the first to commit. Input order is kept, so two
 * replays of one batch take their row locks in the same order.
 */
export async function claimMutations(sql: Sql, domain: SyncedDomain, tenantId: string, deviceId: string, mutations: readonly Mutation[]): Promise<Set<string>> {
  if (mutations.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    `INSERT INTO ${ident(domain)}.applied_mutations (tenant_id, mutation_id, entity, entity_id, device_id)
     SELECT $1, m.mutation_id, m.entity, m.entity_id, $2
     FROM unnest($3::uuid[], $4::text[], $5::uuid[]) WITH ORDINALITY AS m (mutation_id, entity, entity_id, n)
     ORDER BY m.n
     ON CONFLICT (tenant_id, mutation_id) DO NOTHING
     RETURNING mutation_id::text AS id`,
    [tenantId, deviceId, mutations.map((m) => m.mutationId), mutations.map((m) => m.entity), mutations.map((m) => m.id)],
  );
  return new Set(rows.map((row) => row.id));
}

/** A rejected mutation is not recorded: the device may correct it and send it again. */
export async function releaseMutation(sql: Sql, domain: SyncedDomain, tenantId: string, mutationId: string): Promise<void> {
  await sql.execute(`DELETE FROM ${ident(domain)}.applied_mutations WHERE tenant_id = $1 AND mutation_id = $2`, [tenantId, mutationId]);
}

/** Domains whose appliers merge by field (and so may report concurrent edits). */
const MERGED_DOMAINS: ReadonlySet<SyncedDomain> = new Set(['master_data', 'scheduling']);

/** Keeps the concurrent edits a mutation was answered with, for its replays. */
export async function recordConflicts(sql: Sql, domain: SyncedDomain, tenantId: string, mutationId: string, conflicts: readonly FieldConflict[]): Promise<void> {
  if (conflicts.length === 0 || !MERGED_DOMAINS.has(domain)) return;
  await sql.execute(`UPDATE ${ident(domain)}.applied_mutations SET conflicts = $3::jsonb WHERE tenant_id = $1 AND mutation_id = $2`, [
    tenantId,
    mutationId,
    JSON.stringify(conflicts),
  ]);
}

/** What a replayed (duplicate) mutation was first answered with, by mutation id. */
export async function recordedConflicts(sql: Sql, domain: SyncedDomain, tenantId: string, mutationIds: readonly string[]): Promise<Map<string, FieldConflict[]>> {
  if (mutationIds.length === 0 || !MERGED_DOMAINS.has(domain)) return new Map();
  const rows = await sql.query<{ id: string; conflicts: FieldConflict[] | string }>(
    `SELECT mutation_id::text AS id, conflicts FROM ${ident(domain)}.applied_mutations
     WHERE tenant_id = $1 AND mutation_id = ANY ($2::uuid[]) AND conflicts IS NOT NULL`,
    [tenantId, [...mutationIds]],
  );
  return new Map(rows.map((row) => [row.id, typeof row.conflicts === 'string' ? (JSON.parse(row.conflicts) as FieldConflict[]) : row.conflicts]));
}
