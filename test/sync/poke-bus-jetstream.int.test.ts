import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { startTcpRelay, type TcpRelay } from '../../electron/test-support/tcp-relay.ts';
import { createNatsBus, pokeSubject, type PokeStreamNames } from '../../sync-server/bus/nats-bus.ts';
import type { PokeBus, PokeEvent } from '../../sync-server/bus/poke-bus.ts';
import type { LogEvent } from '../../sync-server/log.ts';
import { requireNats, testNatsUrl } from '../support/nats.ts';

const natsAvailable = await requireNats('test/sync/poke-bus-jetstream (pokes across processes over NATS JetStream)');

/** Each run gets its own stream, so runs and other suites never meet. */
const names: PokeStreamNames = { stream: `TEST_POKES_${uuidv7().replaceAll('-', '').slice(-12).toUpperCase()}`, subjectPrefix: `test.poke.${uuidv7().slice(-8)}` };

describe.skipIf(!natsAvailable)('the poke bus over NATS JetStream (one bus per server process)', () => {
  const buses: PokeBus[] = [];
  const relays: TcpRelay[] = [];
  const logs: LogEvent[] = [];
  let raw: NatsConnection | undefined;
  const open = async (servers = testNatsUrl()) => {
    const bus = await createNatsBus(servers, (entry) => logs.push(entry), names);
    buses.push(bus);
    return bus;
  };
  const listen = async (bus: PokeBus, tenantId: string) => {
    const got: PokeEvent[] = [];
    await bus.subscribe(tenantId, (event) => got.push(event));
    return got;
  };

  afterAll(async () => {
    for (const bus of buses) await bus.close().catch(() => undefined);
    for (const relay of relays) await relay.close();
    if (raw) {
      await (await jetstreamManager(raw)).streams.delete(names.stream).catch(() => undefined);
      await raw.close();
    }
  });

  it('keeps pokes in a memory stream holding only the latest per org and domain', async () => {
    await open();
    raw = await connect({ servers: testNatsUrl() });
    const info = await (await jetstreamManager(raw)).streams.info(names.stream);
    expect(info.config).toMatchObject({ storage: StorageType.Memory, max_msgs_per_subject: 1, subjects: [`${names.subjectPrefix}.>`] });
  });

  it("carries a poke from one process to another's subscribers of that org, and to no other org", async () => {
    const [first, second] = [await open(), await open()];
    const orgA = uuidv7();
    const orgB = uuidv7();
    const onSecondA = await listen(second, orgA);
    const onSecondB = await listen(second, orgB);
    const onFirstA = await listen(first, orgA);
    await first.publish({ tenantId: orgA, domain: 'master_data' });
    await vi.waitFor(() => expect(onSecondA).toEqual([{ tenantId: orgA, domain: 'master_data' }]), { timeout: 10_000 });
    await vi.waitFor(() => expect(onFirstA).toHaveLength(1), { timeout: 10_000 });
    // B's poke, sent after A's, arriving means A's routing is finished: B never saw A's.
    await first.publish({ tenantId: orgB, domain: 'scheduling' });
    await vi.waitFor(() => expect(onSecondB).toEqual([{ tenantId: orgB, domain: 'scheduling' }]), { timeout: 10_000 });
    expect(onSecondA).toHaveLength(1);
  });

  it('drops a message whose subject and payload name different orgs (a forged poke), and logs no ids', async () => {
    const bus = await open();
    const victim = uuidv7();
    const attacker = uuidv7();
    const got = await listen(bus, victim);
    raw ??= await connect({ servers: testNatsUrl() });
    const js = (await import('@nats-io/jetstream')).jetstream(raw);
    const dropsBefore = logs.filter((entry) => entry.event === 'bus_event_dropped').length;
    await js.publish(pokeSubject(victim, 'master_data', names), JSON.stringify({ tenantId: attacker, domain: 'master_data' }));
    await js.publish(pokeSubject(victim, 'scheduling', names), 'not json');
    await js.publish(pokeSubject(victim, 'clinical-x', names), JSON.stringify({ tenantId: victim, domain: 'master_data' }));
    await js.publish(pokeSubject(victim, 'scheduling', names), JSON.stringify({ tenantId: victim, domain: 'scheduling' }));
    await vi.waitFor(() => expect(got).toEqual([{ tenantId: victim, domain: 'scheduling' }]), { timeout: 10_000 });
    expect(logs.filter((entry) => entry.event === 'bus_event_dropped').length - dropsBefore).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(logs)).not.toContain(attacker);
  });

  it('delivers a poke published while a process was cut off from NATS once it reconnects (what core NATS would lose)', async () => {
    const relay = await startTcpRelay(testNatsUrl().replace(/^nats:/, 'http:'));
    relays.push(relay);
    const publisher = await open();
    const cutOff = await open(relay.url.replace(/^http:/, 'nats:'));
    const org = uuidv7();
    const got = await listen(cutOff, org);
    relay.down();
    await publisher.publish({ tenantId: org, domain: 'master_data' });
    relay.up();
    await vi.waitFor(() => expect(got).toEqual([{ tenantId: org, domain: 'master_data' }]), { timeout: 30_000, interval: 100 });
  }, 40_000);
});
