/**
 * Batches while a write is in flight: the first item goes out at once, alone (no timer, so
 * a quiet server adds no latency); items added while a write runs wait and go together in
 * the next one, up to `maxBatch` at a time. Under load the batches grow by themselves with
 * the write's latency, so N concurrent callers cost about one round trip instead of N.
 * One write at a time per batcher.
 *
 * The write answers one result per item, in order; `undefined` means "not done" (the part
 * of the batch it belongs to failed, the rest committed). A write that throws must have
 * written nothing. Items not done, and every item of a write that threw, are written again
 * one at a time, so an item that cannot be written fails its own caller only, and an item
 * that was written is never written twice.
 */
export class InFlightBatch<T, R> {
  private readonly write: (items: readonly T[]) => Promise<readonly (R | undefined)[]>;
  private readonly maxBatch: number;
  private queue: Waiting<T, R>[] = [];
  private running = false;

  /** Called when the last write is done and nothing waits (a per-key owner forgets the batcher then). */
  private readonly onIdle: () => void;

  constructor(write: (items: readonly T[]) => Promise<readonly (R | undefined)[]>, maxBatch: number, onIdle: () => void = () => undefined) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`InFlightBatch: maxBatch must be a whole number ≥ 1, got ${maxBatch}`);
    this.write = write;
    this.maxBatch = maxBatch;
    this.onIdle = onIdle;
  }

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        if (batch.length === 1) {
          await this.alone(batch[0]!);
          continue;
        }
        const outcome = await this.attempt(batch.map((w) => w.item));
        for (const [i, w] of batch.entries()) {
          const result = outcome.ok ? outcome.results[i] : undefined;
          if (result !== undefined) w.resolve(result);
          else await this.alone(w);
        }
      }
    } finally {
      this.running = false;
    }
    this.onIdle();
  }

  /** One item on its own: its result, or its own failure. */
  private async alone(w: Waiting<T, R>): Promise<void> {
    const outcome = await this.attempt([w.item]);
    if (!outcome.ok) w.reject(outcome.error);
    else if (outcome.results[0] === undefined) w.reject(new Error('InFlightBatch: the write did not do its only item'));
    else w.resolve(outcome.results[0]);
  }

  /** The write, its throw (sync or async) caught: the drain must never stop half-way. */
  private async attempt(items: readonly T[]): Promise<{ ok: true; results: readonly (R | undefined)[] } | { ok: false; error: unknown }> {
    try {
      return { ok: true, results: await this.write(items) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}
