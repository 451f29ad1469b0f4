import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { ident, type Sql } from '../db/sql.ts';

/**
 * The advisory locks of a feed write, taken by the statement that draws the first seq
 * instead of one statement (one round trip) per lock before it. `$n` (n = `param`) is the
 * lock keys, in the order to take them.
 *
 * Why this still takes every lock before any nextval: `locked` is a MATERIALIZED CTE over
 * an aggregate, so it yields its one row only after it has consumed every key, each taking
 * its lock as the aggregate reads it (unnest yields the array in order, so the keys are
 * locked in the order given, one after another: the sorted order that keeps two writers
 * from deadlocking). The seq is drawn in the SELECT list of a join with `locked` (or of a
 * scan of it), and PostgreSQL evaluates a SELECT list only for rows the join has produced:
 * whatever join order the planner picks, no row exists before `locked` has yielded its
 * row. A transaction-level lock lasts until commit whichever statement took it.
 * feed-writer.int.test.ts holds a writer open after its flush and shows a second writer
 * of the org waiting, then drawing the later seq.
 */
const LOCKED = (param: number): string =>
  `WITH locked AS MATERIALIZED (
     SELECT count(pg_advisory_xact_lock(hashtextextended(k.key, 0))) AS n FROM unnest($${param}::text[]) AS k (key)
   )`;

/**
 * Collects which entities a transaction changed and, just before commit, moves each to
 * the head of its tenant's change feed (`<domain>.changes`, one row per entity).
 *
 * Why the lock: seq comes from a sequence, which hands out numbers at call time, not at
 * commit. If two transactions of one tenant interleaved, seq 10 could commit before seq 9
 * and a reader that already paged past 10 would never see 9. Taking a transaction-level
 * advisory lock on (domain, tenant) before drawing any seq, held until commit, makes seq
 * order equal commit order within a tenant. The locks are taken only here, at the end,
 * for every tenant involved in sorted order, so two writers cannot deadlock on them
 * (by the first statement that draws a seq: see LOCKED).
 */
export class FeedWriter {
  private readonly domain: SyncedDomain;
  private readonly tenantId: string;
  private readonly touched = new Map<EntityName, Set<string>>();
  private readonly coreTouched = new Set<string>();

  constructor(domain: SyncedDomain, tenantId: string) {
    this.domain = domain;
    this.tenantId = tenantId;
  }

  touch(entity: EntityName, id: string): void {
    let ids = this.touched.get(entity);
    if (!ids) this.touched.set(entity, (ids = new Set()));
    ids.add(id);
  }

  /** A patient's core identity changed: every org linked to it must see the change. */
  touchPatientCore(patientId: string): void {
    if (this.domain !== 'master_data') throw new Error('patient core lives in master_data');
    this.coreTouched.add(patientId);
  }

  /** Writes the feed rows; returns every tenant whose feed moved (to poke them). */
  async flush(sql: Sql): Promise<string[]> {
    if (this.touched.size === 0 && this.coreTouched.size === 0) return [];
    const schema = ident(this.domain);
    const coreIds = [...this.coreTouched];
    const tenants = new Set([this.tenantId]);
    if (coreIds.length > 0) {
      const linked = await sql.query<{ tenant_id: string }>(
        'SELECT t::text AS tenant_id FROM master_data.linked_tenants($1::uuid[]) AS t',
        [coreIds],
      );
      for (const row of linked) tenants.add(row.tenant_id);
    }
    const ordered = [...tenants].sort();
    // The locks ride on the first statement that draws a seq (see LOCKED); they are held to commit.
    let locks: string[] | null = ordered.map((tenant) => `feed:${this.domain}:${tenant}`);
    for (const [entity, ids] of this.touched) {
      const params: unknown[] = [this.tenantId, entity, [...ids]];
      await sql.execute(
        `${locks ? LOCKED(params.push(locks)) : ''}
         INSERT INTO ${schema}.changes (tenant_id, entity, entity_id, seq)
         SELECT $1, $2, ids.id, nextval('${this.domain}.change_seq')
         FROM ${locks ? 'locked, ' : ''}unnest($3::uuid[]) WITH ORDINALITY AS ids (id, n) ORDER BY ids.n
         ON CONFLICT (tenant_id, entity, entity_id) DO UPDATE SET seq = EXCLUDED.seq`,
        params,
      );
      locks = null;
    }
    if (coreIds.length > 0) {
      const params: unknown[] = [coreIds];
      await sql.query(
        locks ? `${LOCKED(params.push(locks))} SELECT master_data.record_core_changes($1::uuid[]) FROM locked` : 'SELECT master_data.record_core_changes($1::uuid[])',
        params,
      );
    }
    return ordered;
  }
}
