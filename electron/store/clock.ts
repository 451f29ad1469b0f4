import { HybridClock, hlcSchema, type Hlc } from '../../shared/hlc.ts';
import type { Db } from './db.ts';
import { META_CLOCK, readMeta, writeMeta } from './meta.ts';

/**
 * The device's hybrid logical clock, persisted in the store's meta table so timestamps
 * keep increasing across restarts even if the wall clock is set back. Call tick/receive
 * inside the transaction that uses the value: the clock state commits with the write.
 */
export class StoreClock {
  private readonly db: Db;
  private readonly clock: HybridClock;

  constructor(db: Db, node: string, now?: () => number) {
    this.db = db;
    const saved = readMeta(db, META_CLOCK);
    const last = saved !== undefined && hlcSchema.safeParse(saved).success ? saved : undefined;
    this.clock = new HybridClock(node, { ...(now ? { now } : {}), ...(last ? { last } : {}) });
  }

  tick(): Hlc {
    const value = this.clock.tick();
    writeMeta(this.db, META_CLOCK, value);
    return value;
  }

  receive(remote: Hlc): void {
    this.clock.receive(remote);
    writeMeta(this.db, META_CLOCK, this.clock.current());
  }
}
