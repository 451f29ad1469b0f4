import { AckPolicy, DeliverPolicy, jetstream, JetStreamApiError, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { ensureStream } from '../bus/ensure-stream.ts';
import { connect } from '@nats-io/transport-node';
import { retryDelayMs } from '../jobs/backoff.ts';
import { errorCodeOf, type Logger } from '../log.ts';
import { eventEnvelopeSchema } from './envelope.ts';
import { CONSUMER_NAME, DEFAULT_REDELIVERY, type EventBus, type EventDelivery, type RedeliveryPolicy } from './event-bus.ts';

/** Where events live on NATS. A deployment has one; tests use their own so runs never meet. */
export interface EventStreamNames {
  stream: string;
  /** Subjects are `<prefix>.<tenantId>.<event type>`. */
  subjectPrefix: string;
}

export const DEFAULT_EVENT_STREAM: EventStreamNames = { stream: 'CLINICSYNC_EVENTS', subjectPrefix: 'clinicsync.events' };

export interface JetStreamEventBusOptions {
  names?: EventStreamNames;
  redelivery?: RedeliveryPolicy;
  /** How long a delivery may go unanswered before JetStream delivers it again. */
  ackWaitMs?: number;
}

const NANOS_PER_MS = 1_000_000;
const DAY_MS = 24 * 60 * 60_000;

export function eventSubject(prefix: string, tenantId: string, type: string): string {
  return `${prefix}.${tenantId}.${type}`;
}

/**
 * Domain events over NATS JetStream: persisted in a stream (created idempotently at
 * start-up), consumed through durable pull consumers shared by every replica, acknowledged
 * explicitly. Unlike pokes (sync-server/bus/nats-bus.ts: a memory stream that keeps only the
 * latest hint per org and domain), an event must not be lost when no replica is listening,
 * hence a file stream and durable consumers. The envelope's id is the JetStream
 * message id, so a relay that publishes the same outbox row twice is deduplicated here too.
 */
export async function createJetStreamEventBus(servers: string, log: Logger, options: JetStreamEventBusOptions = {}): Promise<EventBus> {
  const names = options.names ?? DEFAULT_EVENT_STREAM;
  const redelivery = options.redelivery ?? DEFAULT_REDELIVERY;
  const ackWaitMs = options.ackWaitMs ?? 60_000;
  const nc = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'clinicsync-sync-server-events' });
  let jsm: JetStreamManager;
  try {
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, {
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: 7 * DAY_MS * NANOS_PER_MS,
      duplicate_window: 2 * 60_000 * NANOS_PER_MS,
    });
  } catch (error) {
    await nc.close();
    throw error;
  }
  const js = jetstream(nc);
  const subscriptions = new Set<() => Promise<void>>();

  const handle = async (consumer: string, deliver: EventDelivery, msg: JsMsg): Promise<void> => {
    // The subject's tenant token is the org the event was routed under; the consumer checks it against the envelope.
    const routed = msg.subject.slice(names.subjectPrefix.length + 1).split('.')[0] ?? null;
    let raw: unknown = null;
    try {
      raw = JSON.parse(msg.string());
    } catch {
      // left null: the consumer rejects it as an envelope without an org
    }
    try {
      (await deliver(raw, routed)) === 'done' ? msg.ack() : msg.term();
    } catch (error) {
      const deliveries = msg.info.deliveryCount;
      if (deliveries >= redelivery.maxDeliver) {
        log({ level: 'error', event: 'event_dead', consumer, streamSeq: msg.seq, error: errorCodeOf(error) });
        msg.term();
      } else {
        msg.nak(retryDelayMs(deliveries, { baseMs: redelivery.retryBaseMs, maxMs: 60 * redelivery.retryBaseMs }));
      }
    }
  };

  return {
    kind: 'nats',
    publish: async (envelope) => {
      const checked = eventEnvelopeSchema.parse(envelope);
      await js.publish(eventSubject(names.subjectPrefix, checked.tenantId, checked.type), JSON.stringify(checked), { msgID: checked.id });
    },
    subscribe: async (consumer, deliver) => {
      if (!CONSUMER_NAME.test(consumer)) throw new Error('consumer names are lower-case words');
      await ensureConsumer(jsm, names, consumer, redelivery.maxDeliver, ackWaitMs);
      const messages = await (await js.consumers.get(names.stream, consumer)).consume({ max_messages: 16 });
      const loop = (async () => {
        for await (const msg of messages) await handle(consumer, deliver, msg);
      })().catch((error: unknown) => log({ level: 'error', event: 'event_consumer_stopped', consumer, error: errorCodeOf(error) }));
      const stop = async () => {
        subscriptions.delete(stop);
        await messages.close();
        await loop;
      };
      subscriptions.add(stop);
      return stop;
    },
    close: async () => {
      for (const stop of [...subscriptions]) await stop();
      await nc.drain();
    },
  };
}

/** A durable pull consumer over every org's events; created once, its limits kept current. */
async function ensureConsumer(jsm: JetStreamManager, names: EventStreamNames, durable: string, maxDeliver: number, ackWaitMs: number): Promise<void> {
  const limits = { ack_wait: ackWaitMs * NANOS_PER_MS, max_deliver: maxDeliver };
  try {
    await jsm.consumers.add(names.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${names.subjectPrefix}.>`,
      ...limits,
    });
  } catch (error) {
    if (!(error instanceof JetStreamApiError)) throw error;
    // It exists with other limits (an older start): bring them up to date.
    await jsm.consumers.update(names.stream, durable, limits);
  }
}
