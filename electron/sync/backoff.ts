export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Exponential backoff with "equal jitter": half the ceiling is fixed, half random, so a
 * clinic's workstations do not all return at the same instant when the server comes back,
 * yet none retries sooner than half the step.
 */
export function backoffDelay(failures: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The wait before retrying after the server answered RATE_LIMITED with `retryAfterMs`:
 * never sooner than asked, plus up to a quarter of it (at most a second) at random, so a
 * clinic's workstations refused together do not come back together.
 */
export function retryAfterDelay(retryAfterMs: number, random: () => number = Math.random): number {
  return Math.round(retryAfterMs + random() * Math.min(1_000, retryAfterMs / 4));
}
