import type { PokeBus, PokeEvent, PokeHandler } from './poke-bus.ts';

/** The embedded default: one process, so pokes never leave it. */
export function createMemoryBus(): PokeBus {
  const handlers = new Map<string, Set<PokeHandler>>();
  return {
    kind: 'memory',
    publish: async (event: PokeEvent) => {
      for (const handler of handlers.get(event.tenantId) ?? []) queueMicrotask(() => handler({ ...event }));
    },
    subscribe: async (tenantId, handler) => {
      let set = handlers.get(tenantId);
      if (!set) handlers.set(tenantId, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
        if (set.size === 0) handlers.delete(tenantId);
      };
    },
    close: async () => handlers.clear(),
  };
}
