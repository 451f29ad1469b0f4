import { connect } from '@nats-io/transport-node';
import { errorCodeOf, type Logger } from '../log.ts';
import { pokeEventSchema, type PokeBus } from './poke-bus.ts';

export function pokeSubject(tenantId: string): string {
  return `clinicsync.poke.${tenantId}`;
}

/**
 * Pokes across replicas over core NATS, one subject per org. Core NATS (at-most-once)
 * is enough on purpose: a poke is only a hint that carries no data; a device that misses
 * one still converges on its next pull (on reconnect and on its periodic poll), so
 * JetStream persistence would buy nothing for pokes. Data itself never rides the bus.
 */
export async function createNatsBus(servers: string, log: Logger): Promise<PokeBus> {
  const nc = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'clinicsync-sync-server' });
  return {
    kind: 'nats',
    publish: async (event) => {
      nc.publish(pokeSubject(event.tenantId), JSON.stringify(event));
    },
    subscribe: async (tenantId, handler) => {
      const sub = nc.subscribe(pokeSubject(tenantId), {
        callback: (error, msg) => {
          if (error) return log({ level: 'warn', event: 'bus_error', tenantId, error: errorCodeOf(error) });
          const parsed = pokeEventSchema.safeParse(safeJson(msg.string()));
          // The subject names the org; the payload must agree, or the event is dropped.
          if (!parsed.success || parsed.data.tenantId !== tenantId) {
            return log({ level: 'warn', event: 'bus_event_dropped', tenantId });
          }
          handler(parsed.data);
        },
      });
      await nc.flush(); // the server has registered the subscription once the flush returns
      return () => sub.unsubscribe();
    },
    close: async () => {
      await nc.drain();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
