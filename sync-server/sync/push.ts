import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { ENTITY_CATALOG } from '../../shared/entities/catalog.ts';
import type { HybridClock } from '../../shared/hlc.ts';
import type { Mutation, MutationResult, PushInput, PushResult } from '../../shared/sync/mutation.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { PokeBus } from '../bus/poke-bus.ts';
import { pokeOrgs } from '../bus/poke-orgs.ts';
import type { Logger } from '../log.ts';
import { FeedWriter } from './feed-writer.ts';
import { claimMutation, releaseMutation } from './mutation-ledger.ts';
import type { SyncDomainService } from './outcome.ts';

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
 * After commit, every org whose feed moved is poked.
 */
export async function push(deps: PushDeps, tenantId: string, input: PushInput): Promise<PushResult> {
  const results: (MutationResult | undefined)[] = new Array(input.mutations.length);
  const byDomain = new Map<SyncedDomain, { index: number; mutation: Mutation }[]>();
  input.mutations.forEach((mutation, index) => {
    deps.clock.receive(mutation.hlc);
    const domain = ENTITY_CATALOG[mutation.entity].domain;
    const list = byDomain.get(domain) ?? [];
    list.push({ index, mutation });
    byDomain.set(domain, list);
  });

  for (const domain of SYNCED_DOMAINS) {
    const items = byDomain.get(domain);
    if (!items) continue;
    const service = deps.services[domain];
    const apply = await service.prepare(tenantId, items.map((item) => item.mutation));
    const touchedTenants = await service.db.withTenant(tenantId, async (sql) => {
      const feed = new FeedWriter(domain, tenantId);
      for (const { index, mutation } of items) {
        if (!(await claimMutation(sql, domain, tenantId, input.deviceId, mutation))) {
          results[index] = { mutationId: mutation.mutationId, status: 'duplicate' };
          continue;
        }
        const outcome = await apply({ sql, tenantId, feed }, mutation);
        if (outcome.status === 'rejected') {
          await releaseMutation(sql, domain, tenantId, mutation.mutationId);
          results[index] = { mutationId: mutation.mutationId, status: 'rejected', code: outcome.code, reason: outcome.reason };
        } else {
          results[index] = { mutationId: mutation.mutationId, status: 'applied' };
        }
      }
      return feed.flush(sql);
    });
    pokeOrgs(deps.bus, deps.log, domain, touchedTenants);
  }
  deps.log({ level: 'debug', event: 'push', tenantId, mutations: input.mutations.length });
  return { protocolVersion: PROTOCOL_VERSION, tenantId, results: results as MutationResult[], serverHlc: deps.clock.tick() };
}
