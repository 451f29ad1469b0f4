import type { SyncedDomain } from '../../shared/domains.ts';
import { errorCodeOf, type Logger } from '../log.ts';
import type { PokeBus } from './poke-bus.ts';

/**
 * After a write commits, pokes each org whose feed moved. Fire-and-forget on purpose: a
 * lost poke only delays a device's pull until its next poll, so it must never fail the write.
 */
export function pokeOrgs(bus: PokeBus, log: Logger, domain: SyncedDomain, tenantIds: Iterable<string>): void {
  for (const tenantId of tenantIds) {
    bus.publish({ tenantId, domain }).catch((error: unknown) => log({ level: 'warn', event: 'poke_publish_failed', tenantId, domain, error: errorCodeOf(error) }));
  }
}
