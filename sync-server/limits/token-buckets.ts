/** A sustained rate with a burst allowance: `burst` tokens at most, refilled at `perSecond`. */
export interface BucketRate {
  perSecond: number;
  burst: number;
}

/** Refills add fractions of a token; this absorbs their floating-point rounding. */
const EPSILON = 1e-9;

export type Take = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms, the table's clock). */
  at: number;
}

/**
 * One token bucket per key (a device id, an org id), refilled lazily on use. A bucket that
 * has refilled completely says nothing a fresh bucket would not, so idle buckets are
 * dropped: the table holds only keys used within the last full-refill time, whatever the
 * number of devices that ever called. The clock is injected so tests are deterministic.
 */
export class TokenBuckets {
  private readonly rate: BucketRate;
  private readonly now: () => number;
  private readonly buckets = new Map<string, Bucket>();
  /** How long an empty bucket takes to fill: after that an untouched bucket is idle. */
  private readonly refillMs: number;
  private lastSweep: number;

  constructor(rate: BucketRate, now: () => number = Date.now) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new Error('a bucket needs a positive rate and a burst of at least 1');
    this.rate = rate;
    this.now = now;
    this.refillMs = (rate.burst / rate.perSecond) * 1000;
    this.lastSweep = now();
  }

  /** Takes one token for `key`, or says how long until one is there. */
  take(key: string): Take {
    const now = this.now();
    this.sweep(now);
    const bucket = this.current(key, now);
    if (bucket.tokens >= 1 - EPSILON) {
      bucket.tokens -= 1;
      this.buckets.set(key, bucket);
      return { ok: true };
    }
    this.buckets.set(key, bucket);
    return { ok: false, retryAfterMs: this.waitFor(bucket.tokens) };
  }

  private waitFor(tokens: number): number {
    return Math.max(1, Math.ceil(((1 - tokens) / this.rate.perSecond) * 1000));
  }

  /**
   * Whether `key` would be refused now, without taking or storing anything: the wait if its
   * bucket holds less than one token, else null. For refusals before request entry
   * (RequestLimits.refuseEarly): the same answer take() would give, with nothing spent.
   */
  emptyFor(key: string): number | null {
    const bucket = this.buckets.get(key);
    if (!bucket) return null;
    const tokens = this.current(key, this.now()).tokens;
    return tokens >= 1 - EPSILON ? null : this.waitFor(tokens);
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
    if (!bucket) return { tokens: this.rate.burst, at: now };
    const elapsed = Math.max(0, now - bucket.at); // a clock that steps back refills nothing
    return { tokens: Math.min(this.rate.burst, bucket.tokens + (elapsed / 1000) * this.rate.perSecond), at: now };
  }

  /** At most once per refill time: O(keys) then, O(1) amortised per take. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.refillMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at >= this.refillMs) this.buckets.delete(key);
    }
  }
}
