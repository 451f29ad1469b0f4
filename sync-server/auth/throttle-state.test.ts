import { describe, expect, it } from 'vitest';
import { admit, failed, freshCounter, IN_FLIGHT_RETRY_MS, released, type CounterState, type ThrottleRule } from './throttle-state.ts';

const MINUTE = 60_000;
const RULE: ThrottleRule = { maxFailures: 3, windowMs: 15 * MINUTE, firstLockMs: MINUTE, maxLockMs: 4 * MINUTE };

/** One admitted attempt that fails, at `now`. */
function fail(state: CounterState, now: number): { state: CounterState; lockedForMs: number | null } {
  const step = admit(state, now, RULE);
  if (!step.ok) throw new Error(`refused at ${now}`);
  return failed(step.state, now, RULE);
}

describe('throttle-state', () => {
  it('locks at the limit, refuses without changing the counter, and doubles each lock up to the cap', () => {
    let state = freshCounter(0);
    let now = 0;
    const locks: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < RULE.maxFailures; i++) {
        const step = fail(state, now);
        state = step.state;
        if (step.lockedForMs !== null) locks.push(step.lockedForMs);
      }
      const refused = admit(state, now, RULE);
      expect(refused).toEqual({ ok: false, retryAfterMs: locks.at(-1) });
      now += locks.at(-1)!;
    }
    expect(locks).toEqual([MINUTE, 2 * MINUTE, 4 * MINUTE, 4 * MINUTE, 4 * MINUTE]);
  });

  it('forgets failures when the window runs out, and the lockouts after a quiet window', () => {
    let state = fail(fail(freshCounter(0), 0).state, 0).state;
    state = fail(state, RULE.windowMs).state; // a new window: 1 failure, not 3
    expect(state.failures).toBe(1);
    for (let i = 0; i < 2; i++) state = fail(state, RULE.windowMs).state;
    expect(state.lockouts).toBe(1);
    const quiet = state.lockedUntilMs! + RULE.windowMs;
    expect(admit(state, quiet, RULE)).toEqual({ ok: true, state: { ...freshCounter(quiet), pending: 1 } });
  });

  it('counts attempts in flight against the limit, and gives them back when released', () => {
    let state = freshCounter(0);
    for (let i = 0; i < RULE.maxFailures; i++) {
      const step = admit(state, 0, RULE);
      if (!step.ok) throw new Error('refused');
      state = step.state;
    }
    expect(admit(state, 0, RULE)).toEqual({ ok: false, retryAfterMs: IN_FLIGHT_RETRY_MS });
    state = released(state, 0, RULE);
    expect(admit(state, 0, RULE).ok).toBe(true);
  });
});
