import type { ErrorCode } from '../../shared/errors.ts';
import type { Change } from '../../shared/sync/pull.ts';
import type { FieldConflict, Mutation } from '../../shared/sync/mutation.ts';
import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
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
  /** The signed-in person whose push this is (a note's author, an order's orderer); absent for the server's own writes. */
  userId?: string;
  /** Where an applier reports concurrent edits of the mutation being applied (push.ts answers them). */
  concurrent?: FieldConflict[];
}

/**
 * A set-based fast path a domain may offer next to its one-by-one applier (e.g. the burst
 * of new patients a desk replays after a day offline): it applies the mutations it can in a
 * few statements for all of them, answers those (by mutation id), and leaves the rest, which
 * push.ts then applies one by one. push.ts hands it only claimed mutations whose entity id no
 * other mutation of the batch touches, so it may only take mutations that depend on no other
 * mutation of the batch (a new patient does not; a note on a new encounter would).
 */
export type BatchApplier = (ctx: ApplyContext, mutations: readonly Mutation[]) => Promise<Map<string, Outcome>>;

export type Applier = ((ctx: ApplyContext, mutation: Mutation) => Promise<Outcome>) & { batch?: BatchApplier };

/**
 * A whole-push fast path a domain may offer for its commonest push (a new patient): it
 * applies ALL of the domain's mutations of the push, ledger and feed included, in one
 * statement with no transaction around it, and returns true; or writes nothing and returns
 * false, and push.ts applies them the ordinary way. `mutations` come in HLC order; push.ts
 * offers it only pushes with nothing refused before the domain, and pokes the org after.
 */
export type AtOnce = (tenantId: string, deviceId: string, mutations: readonly Mutation[]) => Promise<boolean>;

/**
 * What the sync layer needs from a domain service that owns synced entities. `prepare`
 * runs before the domain's transaction opens, so asking another domain's service (which
 * is another database) never happens inside a transaction.
 */
export interface SyncDomainService {
  readonly domain: SyncedDomain;
  readonly db: DomainDb;
  prepare(tenantId: string, mutations: readonly Mutation[]): Promise<Applier>;
  /** The whole-push fast path, where the domain has one (AtOnce). */
  readonly atOnce?: AtOnce;
  /**
   * Feed rows after `cursor`, in seq order, with each entity's current state. `readable`
   * (default: all) limits them to the entities the caller's role may read, where a domain
   * holds entities that need more than the domain's read capability (sync/access.ts).
   */
  readChanges(sql: Sql, tenantId: string, cursor: string, limit: number, readable?: readonly EntityName[]): Promise<Change[]>;
}
