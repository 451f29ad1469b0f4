import type { SyncedDomain } from '../../shared/domains.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Sql } from '../db/sql.ts';
import { FeedWriter } from './feed-writer.ts';

/** Pokes the orgs whose feed of a domain moved; called after commit. */
export type FeedNotify = (tenantIds: readonly string[]) => void;

/** For services built outside createServices (tests): the feed is still written, only nobody is poked. */
export const NO_POKE: FeedNotify = () => undefined;

/**
 * An online write of synced rows: one tenant transaction with a FeedWriter the body
 * touches, the feed rows written just before commit, the org poked after it. So every
 * admin change of set-up data reaches the workstations, in the same transaction as the change.
 */
export async function writeWithFeed<T>(
  db: DomainDb,
  domain: SyncedDomain,
  tenantId: string,
  notify: FeedNotify,
  body: (sql: Sql, feed: FeedWriter) => Promise<T>,
): Promise<T> {
  const { value, touched } = await db.withTenant(tenantId, async (sql) => {
    const feed = new FeedWriter(domain, tenantId);
    const value = await body(sql, feed);
    return { value, touched: await feed.flush(sql) };
  });
  notify(touched);
  return value;
}
