import { DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type ConsumerMessages } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { errorCodeOf, type Logger } from '../log.ts';
import { ensureStream } from './ensure-stream.ts';
import { createPokeHandlers, pokeEventSchema, type PokeBus, type PokeEvent } from './poke-bus.ts';

/** Where pokes live on NATS. A deployment has one; tests may use their own. */
export interface PokeStreamNames {
  stream: string;
  /** Subjects are `<prefix>.<tenantId>.<domain>`. */
  subjectPrefix: string;
}

export const DEFAULT_POKE_STREAM: PokeStreamNames = { stream: 'CLINICSYNC_POKES', subjectPrefix: 'clinicsync.poke' };

const NANOS_PER_MS = 1_000_000;
/** A poke older than this is worthless: every device has polled since. */
const POKE_MAX_AGE_MS = 5 * 60_000;

export function pokeSubject(tenantId: string, domain: string, names: PokeStreamNames = DEFAULT_POKE_STREAM): string {
  return `${names.subjectPrefix}.${tenantId}.${domain}`;
}

/**
 * Pokes across server processes over NATS JetStream. Why JetStream for a mere hint: each
 * process reads the stream through an ordered consumer, which resumes from the last
 * sequence it saw after a NATS disconnect, so a poke published while a process was cut off
 * still reaches its devices on reconnect instead of waiting for their next poll. The stream
 * is in memory and keeps only the latest poke per org and domain (a newer one supersedes
 * it), so it stays small whatever the traffic. A poke carries no data: devices pull.
 *
 * One consumer per process over every org; the process routes each poke to the handlers
 * of its org, and drops any whose subject and payload name different orgs.
 */
export async function createNatsBus(servers: string, log: Logger, names: PokeStreamNames = DEFAULT_POKE_STREAM): Promise<PokeBus> {
  const nc = await connect({ servers: servers.split(',').map((s) => s.trim()), name: 'clinicsync-sync-server-pokes' });
  let messages: ConsumerMessages;
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, {
      name: names.stream,
      subjects: [`${names.subjectPrefix}.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.Memory,
      max_msgs_per_subject: 1,
      discard: DiscardPolicy.Old,
      max_age: POKE_MAX_AGE_MS * NANOS_PER_MS,
    });
    // Start right after the last poke stored now (not "new at consumer creation", which
    // happens lazily): a poke published once this function has returned is never missed.
    const { state } = await jsm.streams.info(names.stream);
    const consumer = await jetstream(nc).consumers.get(names.stream, {
      filter_subjects: `${names.subjectPrefix}.>`,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: state.last_seq + 1,
    });
    messages = await consumer.consume();
  } catch (error) {
    await nc.close();
    throw error;
  }
  const handlers = createPokeHandlers();

  const route = (subject: string, payload: string): void => {
    const [tenantId, domain] = subject.slice(names.subjectPrefix.length + 1).split('.');
    const parsed = pokeEventSchema.safeParse(safeJson(payload));
    // The subject names the org and domain; the payload must agree, or the poke is dropped.
    if (!parsed.success || parsed.data.tenantId !== tenantId || parsed.data.domain !== domain) {
      log({ level: 'warn', event: 'bus_event_dropped' });
      return;
    }
    for (const handler of handlers.of(parsed.data.tenantId)) handler({ ...parsed.data });
  };

  const loop = (async () => {
    for await (const msg of messages) route(msg.subject, msg.string());
  })().catch((error: unknown) => log({ level: 'error', event: 'poke_consumer_stopped', error: errorCodeOf(error) }));

  return {
    kind: 'nats',
    publish: async (event: PokeEvent) => {
      // A plain NATS publish on the stream's subject: JetStream stores it all the same; only
      // the per-message acknowledgement (a request-reply round trip per push, with its timer)
      // is skipped. A poke is a hint whose loss costs a poll, and nothing waited on the
      // acknowledgement but a warning; the client still buffers while reconnecting, and
      // throws (logged by pokeOrgs) once closed. Measured: ×0.92 CPU per push (docs/scale.md).
      nc.publish(pokeSubject(event.tenantId, event.domain, names), JSON.stringify(event));
    },
    // The process consumer is live from start-up, so a subscription is live at once.
    subscribe: async (tenantId, handler) => handlers.add(tenantId, handler),
    close: async () => {
      handlers.clear();
      await messages.close();
      await loop;
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
