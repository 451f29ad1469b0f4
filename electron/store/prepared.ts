import type BetterSqlite3 from 'better-sqlite3-multiple-ciphers';
import type { Db } from './db.ts';

/**
 * Prepared statements, compiled once per connection and reused. Preparing is the single
 * largest cost of a per-row statement (about half of applying a pulled page, profiled), and
 * the store runs the same few statements for every row. Keyed by the SQL text; the cache
 * goes with the connection (a WeakMap), and SQLite re-prepares a cached statement by itself
 * if a migration changes the schema under it. Only for get/run/all: a statement being
 * iterated cannot be reused while the iteration is open.
 */
const caches = new WeakMap<Db, Map<string, BetterSqlite3.Statement>>();

export function prepared<P extends unknown[] | {} = unknown[], R = unknown>(db: Db, sql: string): BetterSqlite3.Statement<P, R> {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement as unknown as BetterSqlite3.Statement<P, R>;
}
