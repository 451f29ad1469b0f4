import { describe, expect, it } from 'vitest';
import { compareHlc, HybridClock, MAX_CLOCK_DRIFT_MS, parseHlc } from './hlc.ts';

describe('HybridClock', () => {
  it('orders local events even when the wall clock stands still or goes back', () => {
    let wall = 1_000;
    const clock = new HybridClock('dev-a', { now: () => wall });
    const a = clock.tick();
    const b = clock.tick();
    wall = 500;
    const c = clock.tick();
    expect(compareHlc(a, b)).toBe(-1);
    expect(compareHlc(b, c)).toBe(-1);
    expect(parseHlc(c)).toEqual({ ms: 1_000, counter: 2, node: 'dev-a' });
  });

  it('orders after a received peer timestamp', () => {
    const peer = new HybridClock('dev-b', { now: () => 5_000 });
    const clock = new HybridClock('dev-a', { now: () => 1_000 });
    const remote = peer.tick();
    clock.receive(remote);
    expect(compareHlc(clock.tick(), remote)).toBe(1);
  });

  it('ignores a peer clock that has run too far ahead', () => {
    const clock = new HybridClock('dev-a', { now: () => 1_000 });
    const runaway = new HybridClock('dev-b', { now: () => 1_000 + MAX_CLOCK_DRIFT_MS + 1 }).tick();
    clock.receive(runaway);
    expect(parseHlc(clock.tick()).ms).toBe(1_000);
  });

  it('breaks ties between devices by node id, the same way everywhere', () => {
    const a = new HybridClock('dev-a', { now: () => 7 }).tick();
    const b = new HybridClock('dev-b', { now: () => 7 }).tick();
    expect(compareHlc(a, b)).toBe(-1);
  });
});
