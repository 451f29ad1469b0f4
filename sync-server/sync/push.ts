import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { ENTITY_CATALOG } from '../../shared/entities/catalog.ts';
import { compareHlc, MAX_CLOCK_DRIFT_MS, parseHlc, type HybridClock } from '../../shared/hlc.ts';
import type { Role } from '../../shared/sync/auth.ts';
import type { FieldConflict, Mutation, MutationResult, PushInput, PushResult } from '../../shared/sync/mutation.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { PokeBus } from '../bus/poke-bus.ts';
import { pokeOrgs } from '../bus/poke-orgs.ts';
import type { Logger } from '../log.ts';
import { FeedWriter } from './feed-writer.ts';
import { claimMutation, claimMutations, recordConflicts, recordedConflicts, releaseMutation } from './mutation-ledger.ts';
import { refuseForRole } from './access.ts';
import { refuseIfEditedOnline } from './online-only.ts';
import { resendRefused } from './resend-refused.ts';
import type { ApplyContext, Outcome, SyncDomainService } from './outcome.ts';

export const FUTURE_CLOCK_REASON = "This workstation's clock is too far ahead of the server's. Correct the computer's date and time, then make the change again.";

/** The signed-in person pushing: their role decides each mutation, their id authors clinical records. */
export interface PushActor {
  userId: string;
  role: Role;
}

export interface PushDeps {
  services: Record<SyncedDomain, SyncDomainService>;
  bus: PokeBus;
  clock: HybridClock;
  log: Logger;
}

/**
 * Applies a batch: domain by domain in SYNCED_DOMAINS order (master_data before
 * scheduling, so a new patient and its appointment can travel in one batch), each
 * domain's part in one transaction, each mutation answered applied/duplicate/rejected.
 * After commit, every org whose feed moved is poked. `actor` is the signed-in person
 * pushing; absent only for the server's own seeds and benches.
 */
export async function push(deps: PushDeps, tenantId: string, input: PushInput, actor?: PushActor): Promise<PushResult> {
  const userId = actor?.userId;
  const results: (MutationResult | undefined)[] = new Array(input.mutations.length);
  const byDomain = new Map<SyncedDomain, { index: number; mutation: Mutation }[]>();
  // Records whose change was refused before reaching its domain: sent again (see resendRefused).
  const refusedEarly = new Map<SyncedDomain, Mutation[]>();
  const add = <T>(map: Map<SyncedDomain, T[]>, domain: SyncedDomain, item: T) => {
    const list = map.get(domain);
    if (list) list.push(item);
    else map.set(domain, [item]);
  };
  input.mutations.forEach((mutation, index) => {
    const domain = ENTITY_CATALOG[mutation.entity].domain;
    // A stamp from too far ahead would win every later edit of its fields for as long as
    // it stays ahead: refused (and not received, so the server's clock is not dragged).
    if (parseHlc(mutation.hlc).ms - Date.now() > MAX_CLOCK_DRIFT_MS) {
      results[index] = { mutationId: mutation.mutationId, status: 'rejected', code: 'VALIDATION', reason: FUTURE_CLOCK_REASON };
      add(refusedEarly, domain, mutation);
      return;
    }
    deps.clock.receive(mutation.hlc);
    // Set-up data is edited online only: refused here, before any domain transaction or
    // ledger (and never held on a workstation, so there is nothing to send back).
    const online = refuseIfEditedOnline(mutation);
    if (online) {
      results[index] = online;
      return;
    }
    const refusal = actor ? refuseForRole(actor.role, mutation) : null;
    if (refusal) {
      results[index] = refusal;
      add(refusedEarly, domain, mutation);
      return;
    }
    add(byDomain, domain, { index, mutation });
  });

  for (const domain of SYNCED_DOMAINS) {
    const items = byDomain.get(domain) ?? [];
    const early = refusedEarly.get(domain) ?? [];
    if (items.length === 0 && early.length === 0) continue;
    const service = deps.services[domain];
    // In HLC order, not batch order: one device's stamps follow the order it made its
    // changes in, so a reordered batch (an edit ahead of the create it edits) still applies.
    const ordered = [...items].sort((x, y) => compareHlc(x.mutation.hlc, y.mutation.hlc));
    const mutations = ordered.map((item) => item.mutation);
    if (early.length === 0 && service.atOnce && (await service.atOnce(tenantId, input.deviceId, mutations))) {
      for (const { index, mutation } of ordered) results[index] = { mutationId: mutation.mutationId, status: 'applied' };
      pokeOrgs(deps.bus, deps.log, domain, [tenantId]);
      continue;
    }
    const apply = await service.prepare(tenantId, mutations);
    const touchedTenants = await service.db.withTenant(tenantId, async (sql) => {
      const feed = new FeedWriter(domain, tenantId);
      const ctx: ApplyContext = { sql, tenantId, feed, ...(userId === undefined ? {} : { userId }) };
      const claimed = await claimMutations(sql, domain, tenantId, input.deviceId, mutations);
      const batched = apply.batch ? await apply.batch(ctx, batchable(mutations, claimed)) : new Map<string, Outcome>();
      const released = new Set<string>();
      const duplicates: { index: number; mutationId: string }[] = [];
      for (const { index, mutation } of ordered) {
        // Claimed above (first time this id is seen), or again after a rejection released it.
        const mine = claimed.delete(mutation.mutationId) || (released.delete(mutation.mutationId) && (await claimMutation(sql, domain, tenantId, input.deviceId, mutation)));
        if (!mine) {
          duplicates.push({ index, mutationId: mutation.mutationId });
          continue;
        }
        const concurrent: FieldConflict[] = [];
        const outcome = batched.get(mutation.mutationId) ?? (await apply({ ...ctx, concurrent }, mutation));
        batched.delete(mutation.mutationId);
        if (outcome.status === 'rejected') {
          await resendRefused(sql, tenantId, feed, mutation);
          released.add(mutation.mutationId);
          await releaseMutation(sql, domain, tenantId, mutation.mutationId);
          results[index] = { mutationId: mutation.mutationId, status: 'rejected', code: outcome.code, reason: outcome.reason };
        } else {
          await recordConflicts(sql, domain, tenantId, mutation.mutationId, concurrent);
          results[index] = { mutationId: mutation.mutationId, status: 'applied', ...(concurrent.length > 0 ? { conflicts: concurrent } : {}) };
        }
      }
      // A replay is answered as the first time: with the concurrent edits it was applied over.
      const firstAnswers = await recordedConflicts(sql, domain, tenantId, duplicates.map((d) => d.mutationId));
      for (const { index, mutationId } of duplicates) {
        const conflicts = firstAnswers.get(mutationId);
        results[index] = { mutationId, status: 'duplicate', ...(conflicts ? { conflicts } : {}) };
      }
      for (const mutation of early) await resendRefused(sql, tenantId, feed, mutation);
      return feed.flush(sql);
    });
    pokeOrgs(deps.bus, deps.log, domain, touchedTenants);
  }
  deps.log({ level: 'debug', event: 'push', tenantId, mutations: input.mutations.length });
  return { protocolVersion: PROTOCOL_VERSION, tenantId, results: results as MutationResult[], serverHlc: deps.clock.tick() };
}

/**
 * What a domain's batch applier may take: claimed mutations (first occurrence of their id)
 * whose entity id no other mutation of the batch touches, so applying them ahead of the
 * rest cannot reorder two changes of one record.
 */
function batchable(mutations: readonly Mutation[], claimed: ReadonlySet<string>): Mutation[] {
  const perRecord = new Map<string, number>();
  for (const mutation of mutations) {
    const key = `${mutation.entity}:${mutation.id}`;
    perRecord.set(key, (perRecord.get(key) ?? 0) + 1);
  }
  const seen = new Set<string>();
  return mutations.filter((mutation) => {
    const first = !seen.has(mutation.mutationId);
    seen.add(mutation.mutationId);
    return first && claimed.has(mutation.mutationId) && perRecord.get(`${mutation.entity}:${mutation.id}`) === 1;
  });
}
