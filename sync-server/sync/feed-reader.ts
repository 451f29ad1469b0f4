import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Change } from '../../shared/sync/pull.ts';
import { ident, type Sql } from '../db/sql.ts';

/**
 * Changes of one entity (or a whole domain) after `cursor`, in seq order, at most `limit`;
 * `readable` (when given) names the entities the caller's role may receive.
 */
export type FeedReader = (sql: Sql, tenantId: string, cursor: string, limit: number, readable?: readonly EntityName[]) => Promise<Change[]>;

/**
 * One domain's feed holding several entities. Each entity's reader returns its own first
 * `limit` changes after the cursor; the first `limit` of the whole feed are necessarily
 * among those, so merging by seq and cutting at `limit` gives exactly the keyset page a
 * single reader would. Each entity keeps its own (indexed, joined) query, so adding small
 * set-up entities to a domain costs its big entity's page nothing but one more short query.
 */
export function mergedFeed(readers: Partial<Record<EntityName, FeedReader>>): FeedReader {
  return async (sql, tenantId, cursor, limit, readable) => {
    const parts: Change[][] = [];
    for (const [entity, read] of Object.entries(readers) as [EntityName, FeedReader][]) {
      if (readable && !readable.includes(entity)) continue;
      const changes = await read(sql, tenantId, cursor, limit);
      if (changes.length > 0) parts.push(changes);
    }
    // The usual page (a bootstrap of appointments) comes from one entity alone: already in order.
    if (parts.length <= 1) return parts[0] ?? [];
    return parts.flat().sort((a, b) => compareSeq(a.seq, b.seq)).slice(0, limit);
  };
}

export interface ServerRowFeed<R> {
  domain: SyncedDomain;
  entity: EntityName;
  /** The table, aliased `t` (its `version` is read), joined to the feed row `c` `on`, e.g. `t.tenant_id = c.tenant_id AND t.id = c.entity_id`. */
  from: string;
  on: string;
  /** Columns of `t` to read; `version` is always read as well. */
  select: string;
  /** Wire fields of a row: only what the entity's catalog schema names (nothing else leaves the server). */
  toFields: (row: R) => Record<string, unknown>;
}

/**
 * The feed of a set-up entity written only on the server (never deleted, never pushed).
 * fieldHlc is empty on purpose: these rows have a single writer, so there is no merge to
 * order; a workstation takes each pulled row whole (electron/store/merge.ts treats a missing
 * HLC as older than nothing, and no local edit of these rows can exist).
 */
export function serverRowFeed<R>(spec: ServerRowFeed<R>): FeedReader {
  return async (sql, tenantId, cursor, limit, readable) => {
    if (readable && !readable.includes(spec.entity)) return [];
    const rows = await sql.query<R & { seq: string; entityId: string; version: number }>(
      `SELECT c.seq::text AS seq, c.entity_id::text AS "entityId", t.version, ${spec.select}
       FROM ${ident(spec.domain)}.changes c JOIN ${spec.from} ON ${spec.on}
       WHERE c.tenant_id = $1 AND c.entity = $2 AND c.seq > $3::bigint
       ORDER BY c.seq LIMIT $4`,
      [tenantId, spec.entity, cursor, limit],
    );
    return rows.map((row): Change => ({
      seq: row.seq,
      entity: spec.entity,
      id: row.entityId,
      op: 'upsert',
      fields: spec.toFields(row),
      fieldHlc: {},
      version: row.version,
    }));
  };
}

/** Seqs are decimal strings without leading zeros: the shorter is smaller, equal lengths compare as text. */
function compareSeq(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
