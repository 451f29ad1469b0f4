import { describe, expect, it } from 'vitest';
import { admit, failed, freshCounter, holdsFailuresInARow, IN_FLIGHT_RETRY_MS, released, type CounterState, type Failure, type ThrottleRule } from './throttle-state.ts';

const MINUTE = 60_000;
/** A per-address rule (no lock until unlocked); ACCOUNT is an account's, with a small limit in a row. */
const RULE: ThrottleRule = { maxFailures: 3, windowMs: 15 * MINUTE, firstLockMs: MINUTE, maxLockMs: 4 * MINUTE, lockAfterFailures: null };
const ACCOUNT: ThrottleRule = { ...RULE, lockAfterFailures: 7 };

/** One admitted attempt that fails, at `now`. */
function fail(state: CounterState, now: number, rule = RULE): Failure {
  const step = admit(state, now, rule);
  if (!step.ok) throw new Error(`refused at ${now}`);
  return failed(step.state, now, rule);
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

  it('locks an account at its Nth failure in a row until unlocked, however quiet the failures were', () => {
    let state = freshCounter(0);
    let now = 0;
    const quiet = 2 * ACCOUNT.windowMs + ACCOUNT.maxLockMs; // every timed lock and window forgotten
    for (let i = 1; i < ACCOUNT.lockAfterFailures!; i++) {
      const step = fail(state, now, ACCOUNT);
      expect(step.lockedUntilUnlocked).toBe(false);
      state = step.state;
      now += quiet;
    }
    expect(state).toMatchObject({ failures: 1, failuresInARow: ACCOUNT.lockAfterFailures! - 1, lockedAtMs: null }); // one in its window, six in a row
    expect(holdsFailuresInARow(state)).toBe(true);
    const last = fail(state, now, ACCOUNT);
    expect(last).toMatchObject({ lockedUntilUnlocked: true, state: { failuresInARow: ACCOUNT.lockAfterFailures, lockedAtMs: now } });
    // Refused for good: a year later just the same, and the refusal changes nothing.
    expect(admit(last.state, now + 365 * 24 * 60 * MINUTE, ACCOUNT)).toEqual({ ok: false, locked: true });
  });

  it('lets no attempt in flight past the last one before the lock, and reports the lock once', () => {
    let state = freshCounter(0);
    for (let i = 1; i < ACCOUNT.lockAfterFailures!; i++) state = fail(state, i * ACCOUNT.windowMs * 3, ACCOUNT).state;
    const now = ACCOUNT.lockAfterFailures! * ACCOUNT.windowMs * 3;
    const first = admit(state, now, ACCOUNT);
    if (!first.ok) throw new Error('the last attempt before the lock was refused');
    expect(admit(first.state, now, ACCOUNT)).toEqual({ ok: false, retryAfterMs: IN_FLIGHT_RETRY_MS });
    const locked = failed(first.state, now, ACCOUNT);
    expect(locked.lockedUntilUnlocked).toBe(true);
    // An attempt admitted before the lock that ends after it counts, without locking again.
    expect(failed({ ...locked.state, pending: 1 }, now, ACCOUNT)).toMatchObject({ lockedUntilUnlocked: false, state: { failuresInARow: ACCOUNT.lockAfterFailures! + 1, lockedAtMs: now } });
  });

  it('never counts failures in a row on a per-address counter', () => {
    let state = freshCounter(0);
    for (let i = 0; i < 20; i++) state = fail(state, i * RULE.windowMs * 3).state;
    expect(state).toMatchObject({ failuresInARow: 0, lockedAtMs: null });
    expect(holdsFailuresInARow(state)).toBe(false);
  });
});
