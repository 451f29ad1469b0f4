import type { Logger } from '../log.ts';
import type { EventBus } from './event-bus.ts';
import { createJetStreamEventBus, type EventStreamNames } from './jetstream-event-bus.ts';
import { createMemoryEventBus } from './memory-event-bus.ts';

export type EventBusOptions = { kind: 'memory' } | { kind: 'nats'; servers: string; eventStream?: EventStreamNames };

/** In-process by default; JetStream when the server is configured with NATS. */
export function openEventBus(options: EventBusOptions | undefined, log: Logger): Promise<EventBus> {
  if (options?.kind === 'nats') return createJetStreamEventBus(options.servers, log, options.eventStream ? { names: options.eventStream } : {});
  return Promise.resolve(createMemoryEventBus(log));
}
