/**
 * The sign-in throttle's settings (sign-in-throttle.ts), from CLINICSYNC_SIGNIN_* through
 * sign-in-throttle-env.ts. Unlike back-pressure (sync-server/limits/) they hold for the
 * whole deployment, not per process: the counters are in the database.
 */
export interface SignInThrottleOptions {
  /** Failures for one (org, login) within the window that lock it. */
  accountFailures: number;
  /** Failures from one client address (any account) within the window that lock the address. */
  sourceFailures: number;
  windowMs: number;
  /** The first lock; each further one in a row doubles, up to maxLockMs. */
  firstLockMs: number;
  maxLockMs: number;
  /**
   * Failures in a row for one (org, login), never forgotten with the window, that lock it
   * until an admin of the org unlocks it; only a right password or the unlock resets them.
   */
  lockAfterFailures: number;
  /** Tests inject a clock (epoch ms) instead of sleeping through a lock. */
  now?: () => number;
}

/**
 * Five wrong passwords lock an account for 1, 2, 4, 8, then 15 minutes at a time, so a
 * guesser gets about 20 tries an hour per account, while a person who mistypes a few times
 * is barely slowed. Past that, NIST SP 800-63B §5.2.2 allows at most 100 consecutive failed
 * attempts on an account: the 100th in a row (about five hours of patient guessing) locks it
 * until an administrator of the org unlocks it. A clinic's workstations often share one public (NAT) address, so an
 * address may fail ten times as often before it is locked: that stops one machine spraying
 * a common password over many accounts, not a clinic's staff.
 */
export const DEFAULT_SIGN_IN_THROTTLE: SignInThrottleOptions = {
  accountFailures: 5,
  sourceFailures: 50,
  windowMs: 15 * 60_000,
  firstLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  lockAfterFailures: 100,
};

/** NIST SP 800-63B §5.2.2's ceiling for lockAfterFailures: configuration may lower it, never raise it. */
export const MAX_FAILURES_IN_A_ROW = 100;
