import { InFlightBatch } from '../../in-flight-batch.ts';

/**
 * Group commit per key (the audit log's per-org chain): items added while a write for
 * their key is in flight wait, and go together in the key's next write, up to `maxBatch`
 * at a time. Each add() settles only when the write that holds its item has finished, so
 * a caller that awaits it knows its item is committed. Writes for one key never overlap
 * in this process (they would only queue on the chain head's row lock, each holding a
 * pooled connection while it waits); writes for different keys run side by side.
 *
 * One InFlightBatch per key while the key has work (in-flight-batch.ts): a failed write of
 * several items is retried one item at a time, so an item that cannot be written fails its
 * own caller only, never its batch-mates'.
 */
export class GroupCommit<K, T> {
  private readonly write: (key: K, items: readonly T[]) => Promise<void>;
  private readonly maxBatch: number;
  private readonly batches = new Map<K, InFlightBatch<T, true>>();

  constructor(write: (key: K, items: readonly T[]) => Promise<void>, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`GroupCommit: maxBatch must be a whole number ≥ 1, got ${maxBatch}`);
    this.write = write;
    this.maxBatch = maxBatch;
  }

  async add(key: K, item: T): Promise<void> {
    let batch = this.batches.get(key);
    if (!batch) {
      const write = async (items: readonly T[]) => {
        await this.write(key, items);
        return items.map(() => true as const);
      };
      // Forgotten once the key's work is done: one batcher per org would otherwise stay for good.
      const fresh: InFlightBatch<T, true> = new InFlightBatch(write, this.maxBatch, () => this.batches.get(key) === fresh && this.batches.delete(key));
      this.batches.set(key, (batch = fresh));
    }
    await batch.add(item);
  }

  /** Keys with a write in flight or waiting (for tests and metrics). */
  get busyKeys(): number {
    return this.batches.size;
  }
}
