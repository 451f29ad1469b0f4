import { errorCodeOf, type Logger } from '../log.ts';
import { retryDelayMs } from '../jobs/backoff.ts';
import { eventEnvelopeSchema, type EventEnvelope } from './envelope.ts';
import { CONSUMER_NAME, DEFAULT_REDELIVERY, type EventBus, type EventDelivery, type RedeliveryPolicy } from './event-bus.ts';

/**
 * The embedded default: one process, so events never leave it. Each delivery runs on a
 * later turn of the event loop (publishing never waits for handlers, which may need the
 * same database the relay is holding). Not durable: an event in flight when the process
 * stops is gone from the bus, which is why production runs JetStream.
 */
export function createMemoryEventBus(log: Logger, policy: RedeliveryPolicy = DEFAULT_REDELIVERY): EventBus {
  const consumers = new Map<string, EventDelivery>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  const attempt = (name: string, envelope: EventEnvelope, delivery: number): void => {
    const deliver = consumers.get(name);
    if (!deliver || closed) return;
    const run = (async () => {
      try {
        await deliver(structuredClone(envelope), envelope.tenantId);
      } catch (error) {
        if (delivery >= policy.maxDeliver) {
          log({ level: 'error', event: 'event_dead', tenantId: envelope.tenantId, eventId: envelope.id, type: envelope.type, consumer: name, error: errorCodeOf(error) });
          return;
        }
        later(() => attempt(name, envelope, delivery + 1), retryDelayMs(delivery, { baseMs: policy.retryBaseMs, maxMs: 60 * policy.retryBaseMs }));
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
  };

  const later = (fn: () => void, ms: number) => {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  return {
    kind: 'memory',
    publish: async (envelope) => {
      const checked = eventEnvelopeSchema.parse(envelope);
      for (const name of consumers.keys()) later(() => attempt(name, checked, 1), 0);
    },
    subscribe: async (consumer, deliver) => {
      if (!CONSUMER_NAME.test(consumer)) throw new Error('consumer names are lower-case words');
      // One handler per name stands for the replicas sharing a durable consumer.
      consumers.set(consumer, deliver);
      return async () => {
        if (consumers.get(consumer) === deliver) consumers.delete(consumer);
      };
    },
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      consumers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
