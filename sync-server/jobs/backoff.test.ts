import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.ts';
import { derivedId } from './derived-id.ts';
import { isId } from '../../shared/ids.ts';

describe('retry backoff', () => {
  const backoff = { baseMs: 100, maxMs: 1_000 };
  it('doubles per attempt and stops at the cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, backoff, top))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });
  it('jitters down to half, never below', () => {
    expect(retryDelayMs(3, backoff, () => 0)).toBe(200);
    for (let i = 0; i < 100; i++) {
      const delay = retryDelayMs(2, backoff);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });
});

describe('derived ids', () => {
  it('are valid UUIDs, stable for the same parts and different for others', () => {
    const a = derivedId('job', '1', 'x');
    expect(isId(a)).toBe(true);
    expect(derivedId('job', '1', 'x')).toBe(a);
    expect(derivedId('job', '1x', '')).not.toBe(a);
    expect(derivedId('job', '1', 'y')).not.toBe(a);
  });
});
