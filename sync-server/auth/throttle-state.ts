/**
 * One failed-sign-in counter (an account's or a client address's), as pure transitions on
 * the row sign-in-throttle.ts keeps in the database. Times are epoch ms from an injected
 * clock, so every rule here is tested without sleeping.
 */
export interface CounterState {
  /** Failures since the window started (a lock resets them). */
  failures: number;
  /** Attempts admitted whose password check has not ended yet: they count against the limit. */
  pending: number;
  windowStartedMs: number;
  lastFailureMs: number | null;
  lockedUntilMs: number | null;
  /** Locks in a row; each one doubles the next (up to the cap). */
  lockouts: number;
  /**
   * Failures since the last right password or admin unlock (account counters only). Unlike
   * everything above it is never reset by the window, a lock or a quiet spell (NIST SP
   * 800-63B §5.2.2: at most 100 consecutive failed attempts on one account).
   */
  failuresInARow: number;
  /** When failuresInARow reached the rule's lockAfterFailures: refused from then on, until an admin unlocks. */
  lockedAtMs: number | null;
}

export interface ThrottleRule {
  /** Failures within `windowMs` that lock the counter. */
  maxFailures: number;
  windowMs: number;
  /** The first lock; each further one doubles, up to `maxLockMs`. */
  firstLockMs: number;
  maxLockMs: number;
  /** Consecutive failures that lock the counter until an admin unlocks it; null: never (per-address counters). */
  lockAfterFailures: number | null;
}

export const freshCounter = (now: number): CounterState => ({
  failures: 0,
  pending: 0,
  windowStartedMs: now,
  lastFailureMs: null,
  lockedUntilMs: null,
  lockouts: 0,
  failuresInARow: 0,
  lockedAtMs: null,
});

/** Whether a member's counter must be kept although its window says nothing (sign-in-throttle.ts purges the others, and every counter of a login that is no member). */
export const holdsFailuresInARow = (state: CounterState): boolean => state.failuresInARow > 0 || state.lockedAtMs !== null;

/**
 * When the counter says nothing a fresh one would not: a whole window after the later of
 * its last failure, the end of its lock and the start of its window. Lockouts are forgotten
 * then too, so the backoff restarts only after a quiet window.
 */
export function forgetAt(state: CounterState, rule: ThrottleRule): number {
  return Math.max(state.windowStartedMs, state.lastFailureMs ?? 0, state.lockedUntilMs ?? 0) + rule.windowMs;
}

/**
 * The counter as of `now`: an ended lock lifted, a window that has run out restarted, a
 * quiet counter forgotten, except its failures in a row and an admin-only lock.
 */
export function aged(state: CounterState, now: number, rule: ThrottleRule): CounterState {
  if (state.lockedUntilMs !== null && now < state.lockedUntilMs) return state;
  if (now >= forgetAt(state, rule)) return { ...freshCounter(now), failuresInARow: state.failuresInARow, lockedAtMs: state.lockedAtMs };
  const unlocked = { ...state, lockedUntilMs: null };
  // A stuck `pending` (a process that died mid-check) is cleared with the window.
  return now - state.windowStartedMs >= rule.windowMs ? { ...unlocked, failures: 0, pending: 0, windowStartedMs: now } : unlocked;
}

export type Admission = { ok: true; state: CounterState } | { ok: false; retryAfterMs: number } | { ok: false; locked: true };

/**
 * Admits one attempt (counted as pending until it ends) or refuses it without changing the
 * counter: a refused attempt neither extends the lock nor counts, so an attacker cannot keep
 * the real user locked out longer than the backoff. Attempts in flight count against the
 * limit, so a burst of parallel guesses cannot slip past it before the first one fails.
 */
export function admit(state: CounterState, now: number, rule: ThrottleRule): Admission {
  const current = aged(state, now, rule);
  if (current.lockedAtMs !== null) return { ok: false, locked: true };
  if (current.lockedUntilMs !== null) return { ok: false, retryAfterMs: current.lockedUntilMs - now };
  if (current.failures + current.pending >= rule.maxFailures) return { ok: false, retryAfterMs: IN_FLIGHT_RETRY_MS };
  // The last attempts before the admin-only lock, still being checked: none may slip past it.
  if (rule.lockAfterFailures !== null && current.failuresInARow + current.pending >= rule.lockAfterFailures) return { ok: false, retryAfterMs: IN_FLIGHT_RETRY_MS };
  return { ok: true, state: { ...current, pending: current.pending + 1 } };
}

/** What to tell a caller refused because the last allowed attempts are still being checked (they end within a second). */
export const IN_FLIGHT_RETRY_MS = 1_000;

export interface Failure {
  state: CounterState;
  /** This failure started a timed lock of this long. */
  lockedForMs: number | null;
  /** This failure was the rule's lockAfterFailures-th in a row: the counter is now locked until an admin unlocks it. */
  lockedUntilUnlocked: boolean;
}

/**
 * Ends an admitted attempt that failed: at the window's limit the counter locks for the next
 * backoff step, and at lockAfterFailures in a row it locks until an admin unlocks it.
 */
export function failed(state: CounterState, now: number, rule: ThrottleRule): Failure {
  const current = aged(state, now, rule);
  const inARow = rule.lockAfterFailures === null ? 0 : current.failuresInARow + 1;
  const lockedUntilUnlocked = rule.lockAfterFailures !== null && current.lockedAtMs === null && inARow >= rule.lockAfterFailures;
  const counted = {
    ...current,
    pending: Math.max(0, current.pending - 1),
    failures: current.failures + 1,
    lastFailureMs: now,
    failuresInARow: inARow,
    lockedAtMs: lockedUntilUnlocked ? now : current.lockedAtMs,
  };
  if (counted.failures < rule.maxFailures) return { state: counted, lockedForMs: null, lockedUntilUnlocked };
  const lockedForMs = Math.min(rule.maxLockMs, rule.firstLockMs * 2 ** Math.min(counted.lockouts, 30));
  return {
    state: { ...counted, failures: 0, windowStartedMs: now, lockedUntilMs: now + lockedForMs, lockouts: counted.lockouts + 1 },
    lockedForMs,
    lockedUntilUnlocked,
  };
}

/** Ends an admitted attempt that was not a password failure (the source counter of a success, an org that has left). */
export function released(state: CounterState, now: number, rule: ThrottleRule): CounterState {
  const current = aged(state, now, rule);
  return { ...current, pending: Math.max(0, current.pending - 1) };
}
