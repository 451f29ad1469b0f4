import type { Db } from './db.ts';
import { META_CLOCK, readMeta, writeMeta } from './meta.ts';
import type { WatermarkReading } from './watermark.ts';
import { raiseWriteGeneration, readWriteGeneration } from './write-generation.ts';

/** What the safe resync of a restored copy did, for the shell to tell the desk and log. */
export interface RestoredCopyRecovery {
  /** How many write transactions the copy was behind its watermark (0: it was not behind, or the watermark was not trusted). */
  generationsBehind: number;
  /** Every outbox entry of the copy, all kept: pendingKept + rejectedKept. */
  outboxKept: number;
  pendingKept: number;
  rejectedKept: number;
  /** Domains whose pull cursor was set back to the beginning (the next pull re-downloads them whole). */
  cursorsReset: number;
  /** The device clock was moved forward to the last value it had issued before the copy was put back. */
  clockAdvanced: boolean;
}

/** >0 when the store is older than the generation its (verified) watermark recorded. */
export function generationsBehind(storeGeneration: number, reading: WatermarkReading): number {
  return reading.state === 'verified' && storeGeneration < reading.generation ? reading.generation - storeGeneration : 0;
}

/**
 * The safe resync of a copy that was put back over a newer one, in ONE transaction (a
 * crash before it commits leaves the copy still detected as restored; after, it is done):
 *
 * - Every pull cursor goes back to the beginning, so the next sync downloads every row the
 *   server has. A copy that is a clean snapshot would catch up from its own cursors too,
 *   but a backup taken while the store was being written need not be one, and a full pull
 *   does not depend on the copy's rows matching its cursors. The merge
 *   (merge.ts) is field-level last-writer-wins by HLC and keeps a local value with an
 *   unsent, newer edit; deletions arrive as tombstones in the feed.
 * - The outbox is left exactly as it is: pending entries are pushed again. Those the server
 *   already applied before the copy was put back come back 'duplicate' (the server claims
 *   each mutation id once per org, sync-server/sync/mutation-ledger.ts), which settles them;
 *   the rest are applied. Rejected entries stay for the desk to review. Mutation ids are
 *   random UUIDv7s (repository.ts), not a per-store sequence, so no new edit made on the
 *   copy can reuse the id of one the server has already seen from the lost writes.
 * - The clock moves up to the last value the device issued (recorded in the watermark), so
 *   no new edit sorts before edits the server already holds from this device.
 * - The write generation moves above the watermark's, so the copy is the current store
 *   from now on and a later open does not raise the alarm again.
 */
export function resyncRestoredCopy(db: Db, reading: WatermarkReading): RestoredCopyRecovery {
  return db.transaction((): RestoredCopyRecovery => {
    const storeGeneration = readWriteGeneration(db);
    const behind = generationsBehind(storeGeneration, reading);
    const cursorsReset = db.prepare('DELETE FROM sync_cursors').run().changes;
    const counts = db
      .prepare<[], { pending: number; rejected: number }>(
        `SELECT coalesce(sum(status = 'pending'), 0) AS pending, coalesce(sum(status = 'rejected'), 0) AS rejected FROM outbox`,
      )
      .get() ?? { pending: 0, rejected: 0 };

    let clockAdvanced = false;
    if (reading.state === 'verified' && reading.lastHlc !== null) {
      const current = readMeta(db, META_CLOCK);
      // HLC strings sort in time order (shared/hlc.ts); StoreClock re-reads this on construction.
      if (current === undefined || current < reading.lastHlc) {
        writeMeta(db, META_CLOCK, reading.lastHlc);
        clockAdvanced = true;
      }
    }
    const watermarkGeneration = reading.state === 'verified' ? reading.generation : 0;
    raiseWriteGeneration(db, Math.max(storeGeneration, watermarkGeneration) + 1);
    return { generationsBehind: behind, outboxKept: counts.pending + counts.rejected, pendingKept: counts.pending, rejectedKept: counts.rejected, cursorsReset, clockAdvanced };
  })();
}
