import type { Db } from './db.ts';
import { META_WRITE_GENERATION } from './meta.ts';

/**
 * A counter in the store that only ever goes up: one step per write transaction that
 * matters (a local edit, a pulled page, a push acknowledgement: every transaction that
 * takes or receives a clock value, see clock.ts). The watermark file beside the store
 * remembers the highest value committed, so a copy of the file from before that point
 * (a restored backup) is recognised at open by its lower count.
 */
export function readWriteGeneration(db: Db): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;
  if (!hasMeta) return 0;
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(META_WRITE_GENERATION);
  const value = Number(row?.value ?? 0);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

/** +1, inside the caller's transaction (one small upsert: the cost of a meta row). */
export function bumpWriteGeneration(db: Db): void {
  db.prepare(
    `INSERT INTO meta (key, value) VALUES (?, '1')
     ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`,
  ).run(META_WRITE_GENERATION);
}

/** Raises the counter to at least `floor` (recovery of a restored copy); never lowers it. */
export function raiseWriteGeneration(db: Db, floor: number): void {
  if (readWriteGeneration(db) >= floor) return;
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(META_WRITE_GENERATION, String(floor));
}
