import { HybridClock, hlcSchema, type Hlc } from '../../shared/hlc.ts';
import type { Db } from './db.ts';
import { META_CLOCK, readMeta, writeMeta } from './meta.ts';
import { bumpWriteGeneration } from './write-generation.ts';

export interface StoreClockOptions {
  now?: () => number;
  /**
   * Told after each tick/receive, still inside the caller's transaction: the store uses it
   * to bring its watermark file up to date once that transaction has committed.
   */
  onWrite?: () => void;
}

/**
 * The device's hybrid logical clock, persisted in the store's meta table so timestamps
 * keep increasing across restarts even if the wall clock is set back. Call tick/receive
 * inside the transaction that uses the value: the clock state commits with the write.
 *
 * Every write transaction that matters passes through here (local edits tick; pulled pages
 * and push acknowledgements receive), so this is also where the store's write generation
 * is counted, in the same transaction, with no other call site to forget.
 */
export class StoreClock {
  private readonly db: Db;
  private readonly clock: HybridClock;
  private readonly onWrite: (() => void) | undefined;

  constructor(db: Db, node: string, options: StoreClockOptions = {}) {
    this.db = db;
    this.onWrite = options.onWrite;
    const saved = readMeta(db, META_CLOCK);
    const last = saved !== undefined && hlcSchema.safeParse(saved).success ? saved : undefined;
    this.clock = new HybridClock(node, { ...(options.now ? { now: options.now } : {}), ...(last ? { last } : {}) });
  }

  tick(): Hlc {
    const value = this.clock.tick();
    this.persist(value);
    return value;
  }

  receive(remote: Hlc): void {
    this.clock.receive(remote);
    this.persist(this.clock.current());
  }

  current(): Hlc {
    return this.clock.current();
  }

  private persist(value: Hlc): void {
    writeMeta(this.db, META_CLOCK, value);
    bumpWriteGeneration(this.db);
    this.onWrite?.();
  }
}
