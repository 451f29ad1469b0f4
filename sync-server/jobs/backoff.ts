export interface Backoff {
  /** Delay before the second attempt. */
  baseMs: number;
  /** Longest delay between attempts. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 5_000, maxMs: 15 * 60_000 };

/**
 * Exponential backoff with jitter: after attempt n the next waits base·2^(n-1), capped,
 * scaled by a random factor in [0.5, 1] so jobs that failed together do not retry together.
 */
export function retryDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const exponential = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + random() / 2));
}
