import { describe, expect, it } from 'vitest';
import { backoffDelay, retryAfterDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('doubles up to the ceiling and jitters within the upper half of each step', () => {
    const options = { baseMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
  });
});

describe('retryAfterDelay', () => {
  it('never retries sooner than the server asked, and spreads devices over at most a quarter more (capped at a second)', () => {
    expect(retryAfterDelay(400, () => 0)).toBe(400);
    expect(retryAfterDelay(400, () => 1)).toBe(500);
    expect(retryAfterDelay(20_000, () => 1)).toBe(21_000);
    expect(retryAfterDelay(0, () => 1)).toBe(0);
  });
});
