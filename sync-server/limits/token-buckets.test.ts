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
    c.advance(100);
    expect(buckets.take('device-a')).toEqual({ ok: false, retryAfterMs: 150 });
    c.advance(150);
    expect(buckets.take('device-a')).toEqual({ ok: true });
    expect(buckets.take('device-a').ok).toBe(false);
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
