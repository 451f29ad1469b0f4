import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryBus } from './memory-bus.ts';
import type { PokeBus, PokeEvent } from './poke-bus.ts';
import { coalescePokes } from './poke-coalescing.ts';

const ORG_A = '0190a000-0000-7000-8000-00000000000a';
const ORG_B = '0190a000-0000-7000-8000-00000000000b';
const WINDOW_MS = 250;

/** The in-process bus underneath, with every publish it was asked for recorded (and optionally failing). */
function recordingBus(): { bus: PokeBus; published: PokeEvent[]; failNext(error: Error): void; closed(): boolean } {
  const inner = createMemoryBus();
  const published: PokeEvent[] = [];
  let failure: Error | null = null;
  let isClosed = false;
  return {
    published,
    failNext: (error) => (failure = error),
    closed: () => isClosed,
    bus: {
      ...inner,
      publish: async (event) => {
        published.push({ ...event });
        if (failure) {
          const error = failure;
          failure = null;
          throw error;
        }
        await inner.publish(event);
      },
      close: async () => {
        isClosed = true;
        await inner.close();
      },
    },
  };
}

describe('coalescePokes', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('publishes the first poke at once and merges the ones during the window into one at its end', async () => {
    const under = recordingBus();
    const bus = coalescePokes(under.bus, WINDOW_MS);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    expect(under.published).toHaveLength(1);

    const merged = [1, 2, 3].map(() => bus.publish({ tenantId: ORG_A, domain: 'master_data' }));
    let settled = 0;
    for (const promise of merged) void promise.then(() => settled++);
    await vi.advanceTimersByTimeAsync(WINDOW_MS - 1);
    expect(under.published).toHaveLength(1);
    expect(settled).toBe(0);

    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(merged);
    expect(under.published).toHaveLength(2);
    expect(under.published[1]).toEqual({ tenantId: ORG_A, domain: 'master_data' });
  });

  it('never delays or merges pokes of another org or another domain', async () => {
    const under = recordingBus();
    const bus = coalescePokes(under.bus, WINDOW_MS);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    await bus.publish({ tenantId: ORG_B, domain: 'master_data' });
    await bus.publish({ tenantId: ORG_A, domain: 'scheduling' });
    expect(under.published).toEqual([
      { tenantId: ORG_A, domain: 'master_data' },
      { tenantId: ORG_B, domain: 'master_data' },
      { tenantId: ORG_A, domain: 'scheduling' },
    ]);
  });

  it('a quiet window publishes nothing more, and the next poke after it goes out at once', async () => {
    const under = recordingBus();
    const bus = coalescePokes(under.bus, WINDOW_MS);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    await vi.advanceTimersByTimeAsync(WINDOW_MS * 3);
    expect(under.published).toHaveLength(1);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    expect(under.published).toHaveLength(2);
  });

  it('a steady stream is published once per window, and the last change is always followed by a poke', async () => {
    const under = recordingBus();
    const start = Date.now();
    const publishedAt: number[] = [];
    const spy = under.bus.publish;
    under.bus.publish = (event) => {
      publishedAt.push(Date.now() - start);
      return spy(event);
    };
    const wrapped = coalescePokes(under.bus, WINDOW_MS);
    // 39 pokes 25 ms apart, the last at 950 ms: the first at once, then one per window.
    for (let i = 0; i < 39; i++) {
      void wrapped.publish({ tenantId: ORG_A, domain: 'master_data' });
      if (i < 38) await vi.advanceTimersByTimeAsync(25);
    }
    await vi.advanceTimersByTimeAsync(WINDOW_MS * 4);
    expect(publishedAt).toEqual([0, 250, 500, 750, 1000]);
    await wrapped.close();
  });

  it('every caller merged into a failed publish sees its failure', async () => {
    const under = recordingBus();
    const bus = coalescePokes(under.bus, WINDOW_MS);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    const merged = [bus.publish({ tenantId: ORG_A, domain: 'master_data' }), bus.publish({ tenantId: ORG_A, domain: 'master_data' })];
    const outcomes = Promise.allSettled(merged);
    under.failNext(new Error('bus down'));
    await vi.advanceTimersByTimeAsync(WINDOW_MS);
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
  });

  it('closing publishes what is waiting before it closes the bus underneath', async () => {
    const under = recordingBus();
    const bus = coalescePokes(under.bus, WINDOW_MS);
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    const waiting = bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    await bus.close();
    await waiting;
    expect(under.published).toHaveLength(2);
    expect(under.closed()).toBe(true);
    // No timer left behind to publish on a closed bus.
    await vi.advanceTimersByTimeAsync(WINDOW_MS * 2);
    expect(under.published).toHaveLength(2);
  });

  it('delivers through to subscribers: a merged poke still reaches them', async () => {
    vi.useRealTimers();
    const bus = coalescePokes(createMemoryBus(), 20);
    const heard: PokeEvent[] = [];
    await bus.subscribe(ORG_A, (event) => heard.push(event));
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    await bus.publish({ tenantId: ORG_A, domain: 'master_data' });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(heard).toEqual([
      { tenantId: ORG_A, domain: 'master_data' },
      { tenantId: ORG_A, domain: 'master_data' },
    ]);
    await bus.close();
  });

  it('refuses a window that is not a whole number of ms', () => {
    expect(() => coalescePokes(createMemoryBus(), -1)).toThrow(/windowMs/);
    expect(() => coalescePokes(createMemoryBus(), 1.5)).toThrow(/windowMs/);
  });
});
