import type { ErrorCode } from '../../shared/errors.ts';
import type { Change } from '../../shared/sync/pull.ts';
import type { Mutation } from '../../shared/sync/mutation.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { DomainDb } from '../db/domain-db.ts';
import type { Sql } from '../db/sql.ts';
import type { FeedWriter } from './feed-writer.ts';

export type Outcome = { status: 'applied' } | { status: 'rejected'; code: ErrorCode; reason: string };

export const APPLIED: Outcome = { status: 'applied' };

export function rejected(code: ErrorCode, reason: string): Outcome {
  return { status: 'rejected', code, reason };
}

export interface ApplyContext {
  sql: Sql;
  tenantId: string;
  feed: FeedWriter;
}

export type Applier = (ctx: ApplyContext, mutation: Mutation) => Promise<Outcome>;

/**
 * What the sync layer needs from a domain service that owns synced entities. `prepare`
 * runs before the domain's transaction opens, so asking another domain's service (which
 * is another database) never happens inside a transaction.
 */
export interface SyncDomainService {
  readonly domain: SyncedDomain;
  readonly db: DomainDb;
  prepare(tenantId: string, mutations: readonly Mutation[]): Promise<Applier>;
  /** Feed rows after `cursor`, in seq order, with each entity's current state. */
  readChanges(sql: Sql, tenantId: string, cursor: string, limit: number): Promise<Change[]>;
}
