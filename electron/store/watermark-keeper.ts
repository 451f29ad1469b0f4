import type { Db } from './db.ts';
import { META_CLOCK, readMeta } from './meta.ts';
import { writeWatermark, type WatermarkState } from './watermark.ts';
import { readWriteGeneration } from './write-generation.ts';

/**
 * Brings the watermark file up to the store's committed write generation, AFTER the
 * commit: a write schedules a flush on the microtask queue, which runs only once the
 * synchronous better-sqlite3 transaction has returned, i.e. committed or rolled back.
 * The flush reads the committed values back, so a rolled-back write never reaches the
 * file, and a crash before the flush leaves the watermark behind the store (no alarm).
 * Writes in one burst (a bulk insert, a transaction of many edits) share one file write.
 */
export class WatermarkKeeper {
  private readonly db: Db;
  private readonly path: string;
  private readonly macKey: Buffer;
  private readonly tenantId: string;
  private written: number;
  private writtenDurably: number;
  private scheduled = false;
  private failed = false;

  constructor(options: { db: Db; path: string; macKey: Buffer; tenantId: string; written: number }) {
    this.db = options.db;
    this.path = options.path;
    this.macKey = options.macKey;
    this.tenantId = options.tenantId;
    this.written = options.written;
    this.writtenDurably = options.written;
  }

  /** Called inside a write transaction; the file follows once it has committed. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /**
   * Writes the committed generation if the file is behind it; `durable` (at open and
   * close) also syncs it to disk. Never throws: a watermark that cannot be written (disk
   * full, read-only folder) only lags, which is the safe side; `writeFailed()` says so and
   * the next write tries again.
   */
  flush(options: { durable?: boolean } = {}): void {
    this.scheduled = false;
    if (!this.db.open) return;
    if (this.db.inTransaction) {
      // Someone holds a transaction across an await: come back after it.
      this.scheduled = true;
      setTimeout(() => this.flush(options), 0).unref();
      return;
    }
    const durable = options.durable ?? false;
    const state = this.committed();
    if (state.generation <= this.written && (!durable || state.generation <= this.writtenDurably)) return;
    try {
      writeWatermark(this.path, this.macKey, this.tenantId, state, { durable });
      this.written = state.generation;
      if (durable) this.writtenDurably = state.generation;
      this.failed = false;
    } catch {
      this.failed = true;
    }
  }

  writeFailed(): boolean {
    return this.failed;
  }

  private committed(): WatermarkState {
    return { generation: readWriteGeneration(this.db), lastHlc: readMeta(this.db, META_CLOCK) ?? null };
  }
}
