import { createPokeHandlers, type PokeBus, type PokeEvent } from './poke-bus.ts';

/** The embedded default: one process, so pokes never leave it. */
export function createMemoryBus(): PokeBus {
  const handlers = createPokeHandlers();
  return {
    kind: 'memory',
    publish: async (event: PokeEvent) => {
      for (const handler of handlers.of(event.tenantId)) queueMicrotask(() => handler({ ...event }));
    },
    subscribe: async (tenantId, handler) => handlers.add(tenantId, handler),
    close: async () => handlers.clear(),
  };
}
