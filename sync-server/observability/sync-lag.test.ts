import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { PokeBus } from '../bus/poke-bus.ts';
import { SyncLagTracker } from './sync-lag.ts';

/** The real in-process bus and a clock the test moves. */
function setup(options: { windowMs?: number; maxTenants?: number } = {}) {
  const bus = createMemoryBus();
  let now = 1_000_000;
  const covered: { domain: string; seconds: number }[] = [];
  const tracker = new SyncLagTracker(bus, {
    windowMs: options.windowMs ?? 60_000,
    maxTenants: options.maxTenants ?? 10,
    onCovered: (domain, seconds) => covered.push({ domain, seconds }),
    now: () => now,
  });
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { bus, tracker, covered, settle, advance: (ms: number) => (now += ms), now: () => now };
}

const write = async (bus: PokeBus, tenantId: string, settle: () => Promise<unknown>) => {
  await bus.publish({ tenantId, domain: 'master_data' });
  await settle();
};

describe('sync lag tracking', () => {
  it("times a write from when it is heard until the first pull that started after it reads to the feed's end", async () => {
    const { bus, tracker, covered, settle, advance, now } = setup();
    const org = uuidv7();
    tracker.activate(org);
    await settle();
    tracker.pulledToEnd(org, 'master_data', now()); // the domain is pulled here: its writes are timed from now on
    await write(bus, org, settle);
    advance(2_000);
    expect(tracker.lagSeconds().get(org)).toBe(2);
    // A pull that started before the write was heard may not have seen it: nothing is covered.
    tracker.pulledToEnd(org, 'master_data', now() - 3_000);
    expect(covered).toEqual([]);
    advance(500);
    tracker.pulledToEnd(org, 'master_data', now());
    expect(covered).toEqual([{ domain: 'master_data', seconds: 2.5 }]);
    expect(tracker.lagSeconds().get(org)).toBe(0);
    tracker.close();
  });

  it('reports the oldest waiting write, and a later write stays waiting after a pull that covered only the first', async () => {
    const { bus, tracker, covered, settle, advance, now } = setup();
    const org = uuidv7();
    tracker.activate(org);
    await settle();
    tracker.pulledToEnd(org, 'master_data', now());
    await write(bus, org, settle);
    advance(1_000);
    const pullStarted = now();
    await write(bus, org, settle); // committed while that pull was running
    advance(1_000);
    expect(tracker.lagSeconds().get(org)).toBe(2);
    tracker.pulledToEnd(org, 'master_data', pullStarted);
    expect(covered.map((c) => c.seconds)).toEqual([2]);
    expect(tracker.lagSeconds().get(org)).toBe(1);
    tracker.close();
  });

  it('does not count writes of a domain no pull here has read (a role that never pulls it), nor of orgs not active here', async () => {
    const { bus, tracker, settle, advance } = setup();
    const active = uuidv7();
    const elsewhere = uuidv7();
    tracker.activate(active);
    await settle();
    await write(bus, active, settle);
    await write(bus, elsewhere, settle);
    advance(5_000);
    expect(tracker.lagSeconds()).toEqual(new Map([[active, 0]]));
    tracker.close();
  });

  it('bounds the orgs tracked (label cardinality): idle ones leave after the window, the longest idle makes room', async () => {
    const { tracker, settle, advance } = setup({ windowMs: 10_000, maxTenants: 2 });
    const [a, b, c] = [uuidv7(), uuidv7(), uuidv7()];
    tracker.activate(a);
    advance(1_000);
    tracker.activate(b);
    advance(1_000);
    tracker.activate(a); // a is now the most recent
    tracker.activate(c); // b, idle longest, makes room
    await settle();
    expect([...tracker.lagSeconds().keys()].sort()).toEqual([a, c].sort());
    advance(10_001);
    expect(tracker.lagSeconds().size).toBe(0);
    tracker.close();
  });

  it('unsubscribes from the bus when an org leaves, so its pokes no longer reach the tracker', async () => {
    const bus = createMemoryBus();
    let subscribed = 0;
    const counting: PokeBus = {
      ...bus,
      subscribe: async (tenantId, handler) => {
        subscribed++;
        const stop = await bus.subscribe(tenantId, handler);
        return () => {
          subscribed--;
          stop();
        };
      },
    };
    let now = 0;
    const tracker = new SyncLagTracker(counting, { windowMs: 1_000, maxTenants: 5, onCovered: () => undefined, now: () => now });
    tracker.activate(uuidv7());
    tracker.activate(uuidv7());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(subscribed).toBe(2);
    now += 2_000;
    tracker.lagSeconds();
    expect(subscribed).toBe(0);
    tracker.activate(uuidv7());
    tracker.close(); // before the subscription resolved: it is stopped as soon as it does
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(subscribed).toBe(0);
  });
});
