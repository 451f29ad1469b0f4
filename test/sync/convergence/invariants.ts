import { expect } from 'vitest';
import { SYNCED_DOMAINS, type SyncedDomain } from '../../../shared/domains.ts';
import { ENTITY_CATALOG } from '../../../shared/entities/catalog.ts';
import { listConflicts } from '../../../electron/store/conflicts.ts';
import { ident } from '../../../sync-server/db/sql.ts';
import type { SyncServerHandle } from '../../../sync-server/server.ts';
import type { Desk, MadeMutation, MutationLog } from './desk.ts';
import { RECIPES } from './entity-recipes.ts';
import { allIds, describeDifferences, storeContent, tableDigests, type ReplicaContent } from './replica-content.ts';

/** Domains a workstation may push to (set-up entities are edited online only). */
function pushableDomains(): SyncedDomain[] {
  const domains = new Set<SyncedDomain>();
  for (const entry of Object.values(ENTITY_CATALOG) as { domain: SyncedDomain; editedOnline?: boolean }[]) {
    if (entry.editedOnline !== true) domains.add(entry.domain);
  }
  return SYNCED_DOMAINS.filter((domain) => domains.has(domain));
}

/** Every device of the org holds exactly the server's content (per-table checksums), and nothing else. */
export function expectSameContent(desks: readonly Desk[], server: ReplicaContent): void {
  const expected = tableDigests(server);
  for (const desk of desks) {
    const held = storeContent(desk.store.db);
    const digests = tableDigests(held);
    if (JSON.stringify(digests) !== JSON.stringify(expected)) {
      expect.fail(`${desk.name} differs from the server:\n  ${describeDifferences(held, server).join('\n  ')}`);
    }
  }
}

/** Nothing left to send, nothing refused (the generated edits are all valid), nothing foreign seen. */
export function expectSettled(desks: readonly Desk[], log: MutationLog): void {
  for (const desk of desks) {
    expect(desk.store.pendingCount(), `${desk.name} outbox`).toBe(0);
    expect(desk.store.rejected(), `${desk.name} rejected`).toEqual([]);
    expect(desk.foreign, `${desk.name} foreign-org messages`).toEqual([]);
  }
  expect(log.rejected).toEqual([]);
}

type FieldKey = string; // entity|id|field

function byField(made: readonly MadeMutation[]): Map<FieldKey, MadeMutation[]> {
  const writes = new Map<FieldKey, MadeMutation[]>();
  for (const entry of made) {
    const { entity, id, fields } = entry.mutation;
    for (const field of Object.keys(fields)) {
      const key = `${entity}|${id}|${field}`;
      const list = writes.get(key) ?? [];
      list.push(entry);
      writes.set(key, list);
    }
  }
  for (const list of writes.values()) list.sort((a, b) => (a.mutation.hlc < b.mutation.hlc ? -1 : 1));
  return writes;
}

/**
 * No acknowledged write lost: every field of every record holds the value of the write
 * with the highest HLC among all the writes made to it (all of them acknowledged once the
 * outboxes are empty), stamped with that HLC; and the records the org edits are exactly
 * the ones its desks created.
 */
export function expectLastWriterWins(made: readonly MadeMutation[], server: ReplicaContent): void {
  for (const [key, writes] of byField(made)) {
    const [entity, id, field] = key.split('|') as [keyof typeof ENTITY_CATALOG, string, string];
    const winner = writes.at(-1)!.mutation;
    const record = server.get(entity)?.get(id);
    expect(record, `${entity} ${id} on the server`).toBeDefined();
    expect({ value: record!.fields[field], hlc: record!.fieldHlc[field] }, key).toEqual({ value: winner.fields[field], hlc: winner.hlc });
  }
  for (const recipe of RECIPES) {
    const created = new Set(made.filter((m) => m.mutation.entity === recipe.entity).map((m) => m.mutation.id));
    expect(new Set(server.get(recipe.entity)?.keys() ?? []), `${recipe.entity} ids`).toEqual(created);
  }
}

/**
 * None applied twice, none missing: the server's idempotency ledger holds each mutation
 * the org's desks made exactly once, under the device that made it, and nothing else.
 */
export async function expectLedger(handle: SyncServerHandle, tenantId: string, madeList: readonly MadeMutation[]): Promise<void> {
  const seen: { mutation_id: string; device_id: string; domain: string }[] = [];
  for (const domain of pushableDomains()) {
    const rows = await handle.databases.domains[domain].systemForTenant(tenantId, 'test: read the mutation ledger', (sql) =>
      sql.query<{ mutation_id: string; device_id: string }>(
        `SELECT mutation_id::text AS mutation_id, device_id::text AS device_id FROM ${ident(domain)}.applied_mutations WHERE tenant_id = $1`,
        [tenantId],
      ),
    );
    seen.push(...rows.map((row) => ({ ...row, domain })));
  }
  const ids = seen.map((row) => row.mutation_id);
  expect(new Set(ids).size, 'a mutation id recorded twice').toBe(ids.length);
  const made = new Map(madeList.map((m) => [m.mutation.mutationId, m.deviceId]));
  expect(new Set(ids)).toEqual(new Set(made.keys()));
  for (const row of seen) expect(row.device_id, `device of ${row.mutation_id}`).toBe(made.get(row.mutation_id));
}

/**
 * Every lost value is in some desk's conflict log. A value is lost when a write with a
 * higher HLC replaced it although whoever made that write had not seen it (their edit was
 * based on an older value); a value someone saw and then changed is an ordinary edit.
 */
export function expectConflictsLogged(made: readonly MadeMutation[], desks: readonly Desk[]): { lost: number; logged: number } {
  const logged = new Set<string>();
  let entries = 0;
  for (const desk of desks) {
    for (const conflict of listConflicts(desk.store.db)) {
      entries += 1;
      logged.add(`${conflict.entity}|${conflict.entityId}|${conflict.field}|${conflict.losingHlc ?? ''}`);
      if (conflict.field === '*') logged.add(`${conflict.entity}|${conflict.entityId}|*`);
    }
  }
  const missing: string[] = [];
  let lost = 0;
  for (const [key, writes] of byField(made)) {
    const field = key.split('|')[2]!;
    const winner = writes.at(-1)!.mutation;
    for (const entry of writes.slice(0, -1)) {
      const { hlc, fields } = entry.mutation;
      if (fields[field] === winner.fields[field]) continue; // the same value survived
      if (writes.some((other) => other.baseHlc[field] === hlc)) continue; // seen, then changed on purpose
      lost += 1;
      if (!logged.has(`${key}|${hlc}`)) missing.push(`${key} ${JSON.stringify(fields[field])} @${hlc} (by ${entry.desk})`);
    }
  }
  expect(missing, 'lost values missing from every conflict log').toEqual([]);
  return { lost, logged: entries };
}

/** The other org's replica holds none of these ids. */
export function expectDisjoint(a: ReplicaContent, b: ReplicaContent): void {
  const idsOfB = allIds(b);
  expect([...allIds(a)].filter((id) => idsOfB.has(id))).toEqual([]);
}
