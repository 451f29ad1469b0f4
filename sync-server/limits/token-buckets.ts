/** A sustained rate with a burst allowance: `burst` tokens at most, refilled at `perSecond`. */
export interface BucketRate {
  perSecond: number;
  burst: number;
}

/** Refills add fractions of a token; this absorbs their floating-point rounding. */
const EPSILON = 1e-9;

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

/** The bounds of the return times a refusal hands out (see TokenBuckets). */
export interface RetryBounds {
  /** No refused caller is told to come back sooner than this. */
  minMs: number;
  /** Nor later than this, however many are refused at once. */
  maxMs: number;
}

export const DEFAULT_RETRY_BOUNDS: RetryBounds = { minMs: 0, maxMs: 60_000 };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms, the table's clock). */
  at: number;
  /** The latest return time handed to a refused caller (ms, the table's clock); -Infinity if none. */
  promised: number;
}

/**
 * One token bucket per key (a device id, an org id), refilled lazily on use. A bucket that
 * has refilled completely says nothing a fresh bucket would not, so idle buckets are
 * dropped: the table holds only keys used within the last full-refill time (or holding a
 * return time still to come), whatever the number of devices that ever called. The clock
 * is injected so tests are deterministic.
 *
 * Refusals are paced: callers refused while a bucket is empty are told to come back one
 * token apart (the first when the next token is there, the next one token later, …), not
 * all at the moment the next token arrives. A whole clinic refused together would
 * otherwise come back together, be refused together again (all but one), and so hit the
 * server in clumps several times a second, delaying every other org's calls that land in
 * one; paced, they come back about as fast as tokens arrive, and most returns are
 * admitted. A caller that comes back early (ignoring its time) is refused again and given
 * a later one, which only pushes back its own key's callers.
 */
export class TokenBuckets {
  private readonly rate: BucketRate;
  private readonly retry: RetryBounds;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  /** How long an empty bucket takes to fill: after that an untouched bucket is idle. */
  private readonly refillMs: number;
  private lastSweep: number;

  constructor(rate: BucketRate, now: () => number = Date.now, retry: RetryBounds = DEFAULT_RETRY_BOUNDS) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new Error('a bucket needs a positive rate and a burst of at least 1');
    if (!(retry.minMs >= 0) || !(retry.maxMs >= retry.minMs)) throw new Error('retry bounds: 0 ≤ minMs ≤ maxMs');
    this.rate = rate;
    this.retry = retry;
    this.now = now;
    this.refillMs = (rate.burst / rate.perSecond) * 1000;
    this.lastSweep = now();
  }

  /** Takes one token for `key`, or refuses with the time to come back (paced, see above). */
  take(key: string): Take {
    const now = this.now();
    this.sweep(now);
    const bucket = this.current(key, now);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: this.returnTime(bucket, now) };
  }

  /**
   * The wait take() would refuse `key` with now, or null if it holds a token; takes no
   * token. For refusals before request entry (RequestLimits.refuseEarly): the same answer
   * take() would give, including its place among the refused, with nothing spent.
   */
  refusal(key: string): number | null {
    if (!this.buckets.has(key)) return null;
    const now = this.now();
    const bucket = this.current(key, now);
    this.buckets.set(key, bucket);
    return bucket.tokens >= 1 - EPSILON ? null : this.returnTime(bucket, now);
  }

  /** The next free return time of an empty bucket, handed out (so the next refusal gets a later one); the wait until it. */
  private returnTime(bucket: Bucket, now: number): number {
    const nextToken = now + ((1 - bucket.tokens) / this.rate.perSecond) * 1000;
    const afterLastPromised = bucket.promised + 1000 / this.rate.perSecond;
    const at = Math.min(now + this.retry.maxMs, Math.max(now + this.retry.minMs, nextToken, afterLastPromised));
    bucket.promised = at;
    return Math.max(1, Math.ceil(at - now));
  }

  /** Gives back a token taken for a call that was refused by a later limit (it did no work). */
  refund(key: string): void {
    const bucket = this.buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.rate.burst, bucket.tokens + 1);
  }

  /** Keys currently held (tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private current(key: string, now: number): Bucket {
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.rate.burst, at: now, promised: Number.NEGATIVE_INFINITY };
    const elapsed = Math.max(0, now - bucket.at); // a clock that steps back refills nothing
    return { tokens: Math.min(this.rate.burst, bucket.tokens + (elapsed / 1000) * this.rate.perSecond), at: now, promised: bucket.promised };
  }

  /** At most once per refill time: O(keys) then, O(1) amortised per take. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.refillMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= this.refillMs && bucket.promised <= now) this.buckets.delete(key);
    }
  }
}
