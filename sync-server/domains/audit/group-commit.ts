/**
 * Group commit per key (the audit log's per-org chain): items added while a write for
 * their key is in flight wait, and go together in the key's next write, up to `maxBatch`
 * at a time. Each add() settles only when the write that holds its item has finished, so
 * a caller that awaits it knows its item is committed. Writes for one key never overlap
 * in this process (they would only queue on the chain head's row lock, each holding a
 * pooled connection while it waits); writes for different keys run side by side.
 *
 * A failed write of several items is retried one item at a time, so an item that cannot
 * be written fails its own caller only, never its batch-mates'.
 */
export class GroupCommit<K, T> {
  private readonly write: (key: K, items: readonly T[]) => Promise<void>;
  private readonly maxBatch: number;
  private readonly queues = new Map<K, Waiting<T>[]>();

  constructor(write: (key: K, items: readonly T[]) => Promise<void>, maxBatch: number) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`GroupCommit: maxBatch must be a whole number ≥ 1, got ${maxBatch}`);
    this.write = write;
    this.maxBatch = maxBatch;
  }

  add(key: K, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        queue.push({ item, resolve, reject }); // the running drain takes it in its next batch
        return;
      }
      const fresh: Waiting<T>[] = [{ item, resolve, reject }];
      this.queues.set(key, fresh);
      void this.drain(key, fresh);
    });
  }

  /** Keys with a write in flight or waiting (for tests and metrics). */
  get busyKeys(): number {
    return this.queues.size;
  }

  private async drain(key: K, queue: Waiting<T>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      try {
        await this.attempt(key, batch.map((w) => w.item));
        for (const w of batch) w.resolve();
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const w of batch) await this.attempt(key, [w.item]).then(w.resolve, w.reject);
      }
    }
    this.queues.delete(key);
  }

  /** The write, with a synchronous throw turned into a rejection (the drain must never stop half-way). */
  private async attempt(key: K, items: readonly T[]): Promise<void> {
    await this.write(key, items);
  }
}

interface Waiting<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}
