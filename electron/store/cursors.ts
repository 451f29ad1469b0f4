import type { SyncedDomain } from '../../shared/domains.ts';
import type { Db } from './db.ts';

/** Where this store's pull of a domain has reached ('0': from the beginning). */
export function readCursor(db: Db, domain: SyncedDomain): string {
  return db.prepare<[string], { cursor: string }>('SELECT cursor FROM sync_cursors WHERE domain = ?').get(domain)?.cursor ?? '0';
}

export function writeCursor(db: Db, domain: SyncedDomain, cursor: string, now: Date = new Date()): void {
  db.prepare(
    'INSERT INTO sync_cursors (domain, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (domain) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at',
  ).run(domain, cursor, now.toISOString());
}
