import type { BucketRate } from './token-buckets.ts';
import type { ConcurrencyLimit } from './tenant-concurrency.ts';

/**
 * Back-pressure settings (docs/scale.md, "Back-pressure"). They hold per server process:
 * with N processes behind a load balancer an org may get up to N times these in total.
 */
export interface LimitOptions {
  /** Requests of one device (its session's device id). */
  device: BucketRate;
  /** Requests of one org, all its devices together. */
  tenant: BucketRate;
  /** One org's requests in flight at once, and its queue. */
  concurrency: ConcurrencyLimit;
}

/**
 * A workstation's sync cycle is a handful of calls and a first download pages at a few
 * calls a second, so 20/s with a burst of 100 only stops a device that is looping. An org
 * gets ten devices' worth. Three requests in flight per org leave at least one of a
 * domain's four pooled connections (postgres-driver.ts) to the other orgs.
 */
export const DEFAULT_LIMITS: LimitOptions = {
  device: { perSecond: 20, burst: 100 },
  tenant: { perSecond: 200, burst: 400 },
  concurrency: { inFlight: 3, queue: 64, waitMs: 5_000 },
};
