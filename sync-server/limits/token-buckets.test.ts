import { describe, expect, it } from 'vitest';
import { TokenBuckets } from './token-buckets.ts';

function clock(start = 1_000_000) {
  const c = { now: start, advance: (ms: number) => (c.now += ms) };
  return c;
}

describe('TokenBuckets', () => {
  it('allows the burst, then refuses with the time until the next token', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 4, burst: 3 }, () => c.now);
    expect([1, 2, 3].map(() => buckets.take('device-a').ok)).toEqual([true, true, true]);
    expect(buckets.take('device-a')).toEqual({ ok: false, retryAfterMs: 250 });
    c.advance(250);
    expect(buckets.take('device-a')).toEqual({ ok: true });
    expect(buckets.take('device-a')).toEqual({ ok: false, retryAfterMs: 250 });
  });

  it('paces the refused: each is told to come back one token after the one refused before it', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 4, burst: 2 }, () => c.now);
    buckets.take('org');
    buckets.take('org');
    // Ten callers refused at once get ten different times, 250 ms apart, not ten times "250 ms".
    const waits = Array.from({ length: 10 }, () => buckets.take('org'));
    expect(waits).toEqual(Array.from({ length: 10 }, (_, i) => ({ ok: false, retryAfterMs: 250 * (i + 1) })));
    // Time passes: a caller refused later still queues behind the last time handed out.
    c.advance(100);
    expect(buckets.take('org')).toEqual({ ok: false, retryAfterMs: 2_750 - 100 });
    // Each one coming back at its time finds its token.
    let admitted = 0;
    for (let i = 1; i <= 11; i++) {
      c.now = 1_000_000 + 250 * i;
      if (buckets.take('org').ok) admitted += 1;
    }
    expect(admitted).toBe(11);
    // Once the last time handed out is past, a refusal waits only for the next token again.
    c.advance(5_000);
    buckets.take('org');
    buckets.take('org');
    expect(buckets.take('org')).toEqual({ ok: false, retryAfterMs: 250 });
  });

  it('keeps the times it hands out between the floor and the ceiling it is given', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 10, burst: 1 }, () => c.now, { minMs: 1_000, maxMs: 1_500 });
    buckets.take('k');
    const waits = Array.from({ length: 8 }, () => (buckets.take('k') as { retryAfterMs: number }).retryAfterMs);
    // Never sooner than the floor (the next token is 100 ms away), 100 ms apart, never past the ceiling.
    expect(waits).toEqual([1_000, 1_100, 1_200, 1_300, 1_400, 1_500, 1_500, 1_500]);
    expect(() => new TokenBuckets({ perSecond: 1, burst: 1 }, () => c.now, { minMs: 2, maxMs: 1 })).toThrow(/retry bounds/);
  });

  it('answers refusal() as take() would, in the same queue of return times, and takes no token', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 2, burst: 1 }, () => c.now);
    expect(buckets.refusal('never-seen')).toBeNull(); // a fresh key is full: not refused, nothing stored
    expect(buckets.size).toBe(0);
    buckets.take('k');
    expect(buckets.refusal('k')).toBe(500);
    expect(buckets.take('k')).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(buckets.refusal('k')).toBe(1_500);
    c.advance(500);
    expect(buckets.refusal('k')).toBeNull(); // a token is there again
    expect(buckets.take('k').ok).toBe(true); // and refusal() did not take it
  });

  it('keeps each key to itself', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => c.now);
    expect(buckets.take('a').ok).toBe(true);
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.take('b').ok).toBe(true);
  });

  it('refills at the sustained rate and never above the burst', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 10, burst: 5 }, () => c.now);
    for (let i = 0; i < 5; i++) buckets.take('k');
    c.advance(60_000); // a long idle time refills to the burst, not to 600
    let taken = 0;
    while (buckets.take('k').ok) taken += 1;
    expect(taken).toBe(5);
    // Sustained: over 10 s at most 10/s get through (plus nothing saved up).
    let sustained = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      c.advance(10);
      if (buckets.take('k').ok) sustained += 1;
    }
    expect(sustained).toBe(100);
  });

  it('gives a refunded token back, up to the burst', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 1, burst: 2 }, () => c.now);
    buckets.take('k');
    buckets.take('k');
    buckets.refund('k');
    expect(buckets.take('k').ok).toBe(true);
    expect(buckets.take('k').ok).toBe(false);
    buckets.refund('never-seen'); // nothing to give back to: no entry is made
    expect(buckets.size).toBe(1);
  });

  it('forgets idle keys once they would be full again, so the table does not grow with every device ever seen', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 10, burst: 20 }, () => c.now); // 2 s to refill
    for (let i = 0; i < 10_000; i++) buckets.take(`device-${i}`);
    expect(buckets.size).toBe(10_000);
    c.advance(1_000);
    buckets.take('busy');
    expect(buckets.size).toBe(10_001); // not yet idle for a full refill
    c.advance(1_000);
    buckets.take('busy');
    expect(buckets.size).toBe(1); // only the key used within the last refill time is left
    // A forgotten key starts full, exactly as it would have been.
    for (let i = 0; i < 20; i++) expect(buckets.take('device-1').ok).toBe(true);
    expect(buckets.take('device-1').ok).toBe(false);
  });

  it('keeps an idle key while a return time it handed out is still to come', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 10, burst: 1 }, () => c.now, { minMs: 0, maxMs: 60_000 });
    buckets.take('k');
    for (let i = 0; i < 50; i++) buckets.take('k'); // return times 100 ms to 5 s ahead
    c.advance(1_000);
    buckets.take('other'); // sweeps: 'k' is idle past its refill time, but owes return times
    expect(buckets.size).toBe(2);
    // Still remembered: after the token that refilled meanwhile, the next refusal queues behind the 50th, at 5 s.
    expect(buckets.take('k')).toEqual({ ok: true });
    expect(buckets.take('k')).toEqual({ ok: false, retryAfterMs: 5_100 - 1_000 });
    c.advance(10_000);
    buckets.take('other');
    expect(buckets.size).toBe(1);
  });

  it('refills nothing when the clock steps back', () => {
    const c = clock();
    const buckets = new TokenBuckets({ perSecond: 1, burst: 1 }, () => c.now);
    buckets.take('k');
    c.advance(-5_000);
    expect(buckets.take('k').ok).toBe(false);
  });

  it('refuses a rate it cannot run', () => {
    expect(() => new TokenBuckets({ perSecond: 0, burst: 1 })).toThrow(/positive rate/);
    expect(() => new TokenBuckets({ perSecond: 1, burst: 0 })).toThrow(/burst/);
  });
});
