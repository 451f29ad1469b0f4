import type { SyncedDomain } from '../../shared/domains.ts';
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
 */
export async function pull(
  deps: PullDeps,
  tenantId: string,
  input: { domain: SyncedDomain; cursor: string; limit: number },
): Promise<PullPage> {
  const service = deps.services[input.domain];
  const rows = await service.db.withTenant(tenantId, (sql) => service.readChanges(sql, tenantId, input.cursor, input.limit + 1));
  const changes = rows.slice(0, input.limit);
  return {
    protocolVersion: PROTOCOL_VERSION,
    tenantId,
    domain: input.domain,
    changes,
    cursor: changes.at(-1)?.seq ?? input.cursor,
    hasMore: rows.length > input.limit,
    serverHlc: deps.clock.tick(),
  };
}
