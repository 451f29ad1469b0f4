import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Db } from '../store/db.ts';

/**
 * Damage made to an org store file the way a disk makes it (a flipped bit in one page),
 * for the tests that check it is found: store-damage.test.ts (the store alone) and the
 * workstation's session ending on it (people/integrity-ends-session.int.test.ts).
 */
export const STORE_PAGE_BYTES = 4096;

/**
 * The last page of the store that holds data. The file may end in a free page (the search
 * index frees pages as it merges), and a flipped byte there is harmless and never read.
 * The open itself reads only page 1, the org stamp and the schema version, so this page
 * is found by the full-page check, not at open.
 */
export function lastUsedPage(db: Db): number {
  return (db.prepare('SELECT max(pageno) AS n FROM dbstat').get() as { n: number }).n;
}

/** Flips one bit in the middle of page `page` (1-based), past its IV/salt, and returns the original bytes. */
export function flipByteInPage(path: string, page: number): Buffer {
  const original = readFileSync(path);
  const damaged = Buffer.from(original);
  const offset = (page - 1) * STORE_PAGE_BYTES + STORE_PAGE_BYTES / 2;
  damaged[offset] = (damaged[offset] ?? 0) ^ 0x10;
  writeFileSync(path, damaged);
  return original;
}

/** The file's SHA-256: that a refused open left it byte for byte as it was. */
export const fileDigest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
