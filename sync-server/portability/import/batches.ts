import type { ImportKind, ImportReport, RowPlace } from './import-report.ts';
import { applyOutcomes, type RowOutcome } from './import-run.ts';
import type { Mapped } from './row-problems.ts';

/** Rows per write transaction: big enough for set-based inserts to pay, small enough to keep memory and lock time flat. */
export const DEFAULT_BATCH_SIZE = 500;

/**
 * Maps source items one by one, reports the bad ones, and writes the good ones a batch at a
 * time; the report is flushed after every batch. Holds at most one batch in memory.
 */
export async function importInBatches<S, R extends { place: RowPlace }>(options: {
  kind: ImportKind;
  report: ImportReport;
  items: AsyncIterable<S>;
  map: (item: S) => Mapped<R> & { place: RowPlace };
  write: (rows: readonly R[]) => Promise<RowOutcome[]>;
  batchSize?: number;
}): Promise<void> {
  const { kind, report } = options;
  const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
  let batch: R[] = [];
  const writeBatch = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    applyOutcomes(report, kind, await options.write(rows));
    await report.flush();
  };
  const iterator = options.items[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<S>;
    try {
      next = await iterator.next();
    } catch (error) {
      // The source broke off (an unreadable CSV record): what was read before it still goes in.
      await writeBatch();
      throw error;
    }
    if (next.done) break;
    const item = next.value;
    report.counts[kind].read++;
    const mapped = options.map(item);
    if (!mapped.ok) {
      report.counts[kind].failed++;
      for (const problem of mapped.problems) report.issueOf(kind, mapped.place, problem.field, problem.message);
      continue;
    }
    for (const warning of mapped.warnings) report.warn(kind, mapped.place, warning.field, warning.message);
    batch.push(mapped.row);
    if (batch.length >= size) await writeBatch();
  }
  await writeBatch();
  await report.flush();
}
