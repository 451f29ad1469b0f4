import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DomainDb } from '../../db/domain-db.ts';

/**
 * Reads one org's rows of a table a page at a time, by keyset (WHERE key > last key ORDER
 * BY key LIMIT n), never with OFFSET and never the whole table: memory holds one page.
 *
 * Each page is its own short tenant transaction (forced RLS applies), and the loop yields
 * to the event loop between pages. A long snapshot transaction would pin one connection
 * for the whole export (on PGlite the ONLY one, stalling every other org), so the export is
 * page-consistent, not snapshot-consistent: rows changed while it runs appear as of the page
 * that read them (the manifest's transactionTime is when the export began).
 *
 * Paced: after each page the reader rests three times as long as the page took (its query
 * plus the caller's work on it), so an export uses at most about a quarter of the server's
 * database and event loop, and other orgs' requests never queue behind more than one short
 * page (every page query is an index range scan on its key; checked with EXPLAIN). Resting as long as the page (half) left another org's pull p95 at
 * 1.3-1.8x its baseline on the bench; a quarter trades export time for that latency.
 */
const PACING = 3;
export interface KeysetSpec {
  /** SELECT list; it must give every key column under its alias. */
  select: string;
  /** FROM clause (joins inside the same domain database only). */
  from: string;
  /** The org filter and any other conditions, with the tenant id as $1. */
  where: string;
  /** The key, in order: the SQL expression and the alias the select gives it. Unique per org. */
  key: readonly { column: string; alias: string }[];
  pageSize: number;
}

export async function* keysetPages<Row extends object>(db: DomainDb, tenantId: string, spec: KeysetSpec): AsyncGenerator<Row[]> {
  const columns = spec.key.map((part) => part.column).join(', ');
  const page = (after: readonly unknown[] | null): Promise<Row[]> => {
    const params: unknown[] = [tenantId];
    let condition = spec.where;
    if (after) {
      const placeholders = after.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      condition = `(${condition}) AND (${columns}) > (${placeholders.join(', ')})`;
    }
    const text = `SELECT ${spec.select} FROM ${spec.from} WHERE ${condition} ORDER BY ${columns} LIMIT ${spec.pageSize}`;
    return db.withTenant(tenantId, (sql) => sql.query<Row>(text, params));
  };
  let after: unknown[] | null = null;
  for (;;) {
    const started = performance.now();
    // The next key is taken BEFORE the page is handed over, and no variable of this loop holds
    // the page while it rests: a page kept across the rest would outlive young-generation
    // collections and be promoted, growing V8's old generation with garbage.
    let rows: Row[] | null = await page(after);
    const last = rows.length === spec.pageSize ? rows[rows.length - 1]! : null;
    after = last ? spec.key.map((part) => (last as Record<string, unknown>)[part.alias]) : null;
    if (rows.length > 0) yield rows;
    rows = null;
    if (!after) return;
    await sleep((performance.now() - started) * PACING);
  }
}
