export interface ConcurrencyLimit {
  /** Requests of one org handled at once; keep it below the database pool size, so other orgs always find a connection. */
  inFlight: number;
  /** Requests of one org waiting for a slot; more are refused at once. */
  queue: number;
  /** How long a request waits for a slot before it is refused. */
  waitMs: number;
}

export type Release = () => void;

/** Why a request got no slot, and when trying again makes sense. */
export class NoSlot extends Error {
  override name = 'NoSlot';
  readonly retryAfterMs: number;
  constructor(reason: 'queue_full' | 'wait_expired', retryAfterMs: number) {
    super(reason);
    this.retryAfterMs = retryAfterMs;
  }
}

interface Waiter {
  grant: (release: Release) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Lane {
  running: number;
  waiting: Waiter[];
}

/**
 * Bounded in-flight requests per key (an org), with a short FIFO queue behind them. One
 * org's burst then holds at most `inFlight` database connections in this process, and the
 * rest of it waits here, holding none, or is refused. A key with nothing running and
 * nothing waiting is forgotten, so the table holds only busy orgs.
 */
export class TenantConcurrency {
  private readonly limit: ConcurrencyLimit;
  private readonly lanes = new Map<string, Lane>();

  constructor(limit: ConcurrencyLimit) {
    if (!(limit.inFlight >= 1) || !(limit.queue >= 0) || !(limit.waitMs >= 0)) throw new Error('concurrency limit: inFlight ≥ 1, queue ≥ 0, waitMs ≥ 0');
    this.limit = limit;
  }

  /** A slot for `key` (call the release exactly once), or NoSlot. */
  acquire(key: string): Promise<Release> {
    const lane = this.lanes.get(key) ?? { running: 0, waiting: [] };
    this.lanes.set(key, lane);
    if (lane.running < this.limit.inFlight) {
      lane.running += 1;
      return Promise.resolve(this.releaser(key, lane));
    }
    if (lane.waiting.length >= this.limit.queue) return Promise.reject(new NoSlot('queue_full', this.retryHint()));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        timer: setTimeout(() => {
          const index = lane.waiting.indexOf(waiter);
          if (index >= 0) lane.waiting.splice(index, 1);
          reject(new NoSlot('wait_expired', this.retryHint()));
        }, this.limit.waitMs),
      };
      lane.waiting.push(waiter);
    });
  }

  /** NoSlot if a request for `key` would be refused at once (its queue is full), else null; takes nothing. */
  full(key: string): NoSlot | null {
    const lane = this.lanes.get(key);
    return lane && lane.running >= this.limit.inFlight && lane.waiting.length >= this.limit.queue ? new NoSlot('queue_full', this.retryHint()) : null;
  }

  /** Requests running and waiting for `key` (tests and metrics). */
  load(key: string): { running: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  /** Keys currently held (tests and metrics). */
  get size(): number {
    return this.lanes.size;
  }

  private releaser(key: string, lane: Lane): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = lane.waiting.shift();
      if (next) {
        // The slot passes straight to the next waiter: the count of running requests stays.
        clearTimeout(next.timer);
        next.grant(this.releaser(key, lane));
        return;
      }
      lane.running -= 1;
      if (lane.running === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
    };
  }

  /** A refused request should come back after about one queue wait: by then the queue has turned over. */
  private retryHint(): number {
    return Math.max(100, this.limit.waitMs);
  }
}
