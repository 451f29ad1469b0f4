import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NoSlot, TenantConcurrency } from './tenant-concurrency.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** Settles pending promise callbacks without moving the (fake) clock. */
const flush = () => vi.advanceTimersByTimeAsync(0);

describe('TenantConcurrency', () => {
  it('runs up to inFlight at once, queues the next in order, and hands each freed slot to the oldest waiter', async () => {
    const gate = new TenantConcurrency({ inFlight: 2, queue: 2, waitMs: 1_000 });
    const first = await gate.acquire('org-a');
    const second = await gate.acquire('org-a');
    const order: string[] = [];
    const third = gate.acquire('org-a').then((release) => (order.push('third'), release));
    const fourth = gate.acquire('org-a').then((release) => (order.push('fourth'), release));
    await flush();
    expect(order).toEqual([]);
    expect(gate.load('org-a')).toEqual({ running: 2, waiting: 2 });
    first();
    await flush();
    expect(order).toEqual(['third']);
    second();
    await flush();
    expect(order).toEqual(['third', 'fourth']);
    expect(gate.load('org-a')).toEqual({ running: 2, waiting: 0 });
    (await third)();
    (await fourth)();
    expect(gate.load('org-a')).toEqual({ running: 0, waiting: 0 });
    expect(gate.size).toBe(0); // an idle org is forgotten
  });

  it('refuses at once when the queue is full, and after waitMs when no slot came', async () => {
    const gate = new TenantConcurrency({ inFlight: 1, queue: 1, waitMs: 1_000 });
    const running = await gate.acquire('org-a');
    const queued = gate.acquire('org-a');
    const queuedOutcome = queued.then(() => 'granted', (error: unknown) => error);
    await expect(gate.acquire('org-a')).rejects.toMatchObject({ name: 'NoSlot', message: 'queue_full', retryAfterMs: 1_000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(gate.load('org-a').waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await queuedOutcome;
    expect(error).toBeInstanceOf(NoSlot);
    expect(error).toMatchObject({ message: 'wait_expired' });
    expect(gate.load('org-a')).toEqual({ running: 1, waiting: 0 });
    running();
    expect(gate.size).toBe(0);
  });

  it("never makes one org wait for another's slots", async () => {
    const gate = new TenantConcurrency({ inFlight: 1, queue: 0, waitMs: 1_000 });
    await gate.acquire('org-a');
    await expect(gate.acquire('org-a')).rejects.toBeInstanceOf(NoSlot);
    const b = await gate.acquire('org-b');
    expect(gate.load('org-b')).toEqual({ running: 1, waiting: 0 });
    b();
  });

  it('ignores a second call of the same release (a slot is freed once)', async () => {
    const gate = new TenantConcurrency({ inFlight: 1, queue: 1, waitMs: 1_000 });
    const release = await gate.acquire('org-a');
    const next = gate.acquire('org-a');
    release();
    release();
    const nextRelease = await next;
    expect(gate.load('org-a')).toEqual({ running: 1, waiting: 0 });
    nextRelease();
    expect(gate.load('org-a')).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses settings it cannot run', () => {
    expect(() => new TenantConcurrency({ inFlight: 0, queue: 1, waitMs: 1 })).toThrow(/inFlight/);
    expect(() => new TenantConcurrency({ inFlight: 1, queue: -1, waitMs: 1 })).toThrow(/queue/);
  });
});
