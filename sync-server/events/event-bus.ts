import type { EventEnvelope } from './envelope.ts';

/**
 * How a consumer answers one delivery: 'done' (acknowledge) or 'rejected' (never deliver
 * again: invalid, or for an org that does not exist). Throwing asks for a redelivery later.
 * `routedTenantId` is the org the transport routed the event under (NATS: the subject),
 * which must agree with the envelope's.
 */
export type EventDelivery = (raw: unknown, routedTenantId: string | null) => Promise<'done' | 'rejected'>;

/**
 * Carries domain events between the outbox relay and consumers. Two implementations,
 * chosen at start-up: in-process (the embedded default) and NATS JetStream (durable,
 * shared by every replica). Both deliver at least once and redeliver a failed handling
 * with backoff up to a limit; consumers make handling idempotent.
 */
export interface EventBus {
  readonly kind: 'memory' | 'nats';
  /** Resolves once the bus has accepted the event (JetStream: stored). */
  publish(envelope: EventEnvelope): Promise<void>;
  /**
   * A durable named consumer: replicas that subscribe under the same name share the work,
   * each event going to one of them. Resolves once the subscription is live.
   */
  subscribe(consumer: string, deliver: EventDelivery): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface RedeliveryPolicy {
  /** Deliveries of one event in all, the first included. */
  maxDeliver: number;
  /** Wait before the second delivery; doubles each time. */
  retryBaseMs: number;
}

export const DEFAULT_REDELIVERY: RedeliveryPolicy = { maxDeliver: 5, retryBaseMs: 2_000 };

/** Consumer names double as JetStream durable names and ledger keys. */
export const CONSUMER_NAME = /^[a-z][a-z0-9_-]{0,60}$/;
