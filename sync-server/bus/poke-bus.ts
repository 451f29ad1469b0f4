import { z } from 'zod';
import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { idSchema } from '../../shared/ids.ts';

/** "Domain X of org T changed." Carries the org id so every handler re-establishes tenant context. */
export interface PokeEvent {
  tenantId: string;
  domain: SyncedDomain;
}

export const pokeEventSchema = z.object({ tenantId: idSchema, domain: z.enum(SYNCED_DOMAINS) });

export type PokeHandler = (event: PokeEvent) => void;

/**
 * Carries pokes between server replicas. Subscriptions are per org, and a handler is
 * only ever called with events of the org it subscribed to.
 */
export interface PokeBus {
  readonly kind: 'memory' | 'nats';
  publish(event: PokeEvent): Promise<void>;
  /** Resolves once the subscription is live (a poke published afterwards will arrive). */
  subscribe(tenantId: string, handler: PokeHandler): Promise<() => void>;
  close(): Promise<void>;
}

/** Per-org handler sets of one process: what a bus routes each poke through. */
export function createPokeHandlers() {
  const handlers = new Map<string, Set<PokeHandler>>();
  return {
    of: (tenantId: string): Iterable<PokeHandler> => handlers.get(tenantId) ?? [],
    add(tenantId: string, handler: PokeHandler): () => void {
      let set = handlers.get(tenantId);
      if (!set) handlers.set(tenantId, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) handlers.delete(tenantId);
      };
    },
    clear: () => handlers.clear(),
  };
}
