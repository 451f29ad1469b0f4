import type { SyncedDomain } from '../../shared/domains.ts';
import type { Poke } from '../../shared/sync/poke.ts';
import type { PokeBus } from '../bus/poke-bus.ts';

/**
 * Subscribes to the org's pokes BEFORE returning, so once the client sees the
 * subscription start, no poke can be missed. Pending pokes are coalesced per domain
 * (a poke is only "go pull"); the bus subscription ends when the client goes away.
 */
export async function openPokeStream(bus: PokeBus, tenantId: string, signal: AbortSignal | undefined): Promise<AsyncIterable<Poke>> {
  const pending = new Set<SyncedDomain>();
  let wake: (() => void) | null = null;
  const stop = await bus.subscribe(tenantId, (event) => {
    if (event.tenantId !== tenantId) return;
    pending.add(event.domain);
    wake?.();
  });
  let stopped = false;
  const unsubscribe = () => {
    if (!stopped) (stopped = true), stop();
  };
  const aborted = () => wake?.();
  signal?.addEventListener('abort', () => {
    unsubscribe();
    aborted();
  }, { once: true });

  async function* stream(): AsyncGenerator<Poke> {
    try {
      while (!signal?.aborted) {
        if (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        for (const domain of [...pending]) {
          pending.delete(domain);
          if (signal?.aborted) return;
          yield { tenantId, domain };
        }
      }
    } finally {
      unsubscribe();
    }
  }
  return stream();
}
