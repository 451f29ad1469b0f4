import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import type { HybridClock } from '../../shared/hlc.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { SyncDomainService } from './outcome.ts';

export interface PullDeps {
  services: Record<SyncedDomain, SyncDomainService>;
  clock: HybridClock;
}

/**
 * One keyset page of the org's feed for a domain: rows with seq > cursor, in seq order.
 * One extra row is read to know whether more follow. The cursor returned is the last
 * seq delivered, so a device that stores it with the applied page resumes exactly there.
 * `readable` (from the caller's role, sync/access.ts) limits the entities served; absent,
 * all of the domain's are (the server's own callers).
 */
export async function pull(
  deps: PullDeps,
  tenantId: string,
  input: { domain: SyncedDomain; cursor: string; limit: number; readable?: readonly EntityName[] | undefined },
): Promise<PullPage> {
  const service = deps.services[input.domain];
  // One snapshot for the page's several queries (one per entity): see TenantReadOptions.
  const rows = await service.db.withTenant(tenantId, (sql) => service.readChanges(sql, tenantId, input.cursor, input.limit + 1, input.readable), { snapshot: true });
  const page = rows.slice(0, input.limit);
  // Defence in depth behind the service's own filter: nothing the role may not read leaves,
  // and the cursor still moves past it (so a page of such rows cannot stall the device).
  const changes = input.readable ? page.filter((change) => input.readable!.includes(change.entity)) : page;
  return {
    protocolVersion: PROTOCOL_VERSION,
    tenantId,
    domain: input.domain,
    changes,
    cursor: page.at(-1)?.seq ?? input.cursor,
    hasMore: rows.length > input.limit,
    serverHlc: deps.clock.tick(),
  };
}
