import { describe, expect, it } from 'vitest';
import { bestSustained, emptyTally, mergeTallies, percentile, record, summarize, sustained, throughput, type StepResult } from '../bench/load/stats.ts';

/** The load harness's accounting (test/bench/load/stats.ts): what its figures are computed from. */
describe('load harness accounting', () => {
  it('takes nearest-rank percentiles of sorted latencies', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile(sorted, 0)).toThrow(/p must be in/);
    expect(() => percentile(sorted, 1.5)).toThrow(/p must be in/);
  });

  it('summarizes unsorted latencies', () => {
    const summary = summarize([30, 10, 20, 40]);
    expect(summary).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40 });
    expect(summarize([]).p99).toBeNaN();
  });

  it('counts rate limits apart from errors, and errors by code', () => {
    const tally = emptyTally();
    record(tally, 5, { ok: true });
    record(tally, 6, { ok: false, code: 'RATE_LIMITED' });
    record(tally, 7, { ok: false, code: 'OFFLINE' });
    record(tally, 8, { ok: false, code: 'OFFLINE' });
    record(tally, 9, { ok: false, code: 'rejected:VALIDATION' });
    expect(tally).toMatchObject({ ok: 1, rateLimited: 1, errors: 3, errorCodes: { OFFLINE: 2, 'rejected:VALIDATION': 1 } });
    expect(tally.latencies).toEqual([5, 6, 7, 8, 9]);
  });

  it('merges tallies from several client processes', () => {
    const a = emptyTally();
    const b = emptyTally();
    record(a, 1, { ok: true });
    record(a, 2, { ok: false, code: 'OFFLINE' });
    record(b, 3, { ok: false, code: 'OFFLINE' });
    record(b, 4, { ok: false, code: 'RATE_LIMITED' });
    const merged = mergeTallies([a, b]);
    expect(merged).toMatchObject({ ok: 1, errors: 2, rateLimited: 1, errorCodes: { OFFLINE: 2 } });
    expect(merged.latencies).toEqual([1, 2, 3, 4]);
    expect(a.latencies).toEqual([1, 2]); // the inputs are left alone
  });

  it('computes throughput from successful operations only, and refuses an empty phase', () => {
    const tally = emptyTally();
    for (let i = 0; i < 10; i++) record(tally, 1, { ok: true });
    record(tally, 1, { ok: false, code: 'OFFLINE' });
    expect(throughput(tally, 2)).toBe(5);
    expect(() => throughput(tally, 0)).toThrow(/lasted some time/);
  });

  it('calls a step sustained only under the p99 limit, with no errors, nothing shed and the rate served', () => {
    const good: StepResult = { offeredPerS: 100, achievedPerS: 95, p99: 120, errors: 0, shed: 0 };
    expect(sustained(good, 500)).toBe(true);
    expect(sustained({ ...good, p99: 500 }, 500)).toBe(false);
    expect(sustained({ ...good, errors: 1 }, 500)).toBe(false);
    expect(sustained({ ...good, shed: 3 }, 500)).toBe(false);
    expect(sustained({ ...good, achievedPerS: 80 }, 500)).toBe(false);
  });

  it('picks the highest sustained step of a ramp, or none', () => {
    const steps: StepResult[] = [
      { offeredPerS: 100, achievedPerS: 99, p99: 50, errors: 0, shed: 0 },
      { offeredPerS: 200, achievedPerS: 198, p99: 300, errors: 0, shed: 0 },
      { offeredPerS: 400, achievedPerS: 310, p99: 900, errors: 4, shed: 50 },
    ];
    expect(bestSustained(steps, 500)).toBe(steps[1]);
    expect(bestSustained(steps, 100)).toBe(steps[0]);
    expect(bestSustained(steps.slice(2), 500)).toBeNull();
  });
});
