import type { SyncedDomain } from '../../shared/domains.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { ident, type Sql } from '../db/sql.ts';

/**
 * Collects which entities a transaction changed and, just before commit, moves each to
 * the head of its tenant's change feed (`<domain>.changes`, one row per entity).
 *
 * Why the lock: seq comes from a sequence, which hands out numbers at call time, not at
 * commit. If two transactions of one tenant interleaved, seq 10 could commit before seq 9
 * and a reader that already paged past 10 would never see 9. Taking a transaction-level
 * advisory lock on (domain, tenant) before drawing any seq, held until commit, makes seq
 * order equal commit order within a tenant. The locks are taken only here, at the end,
 * for every tenant involved in sorted order, so two writers cannot deadlock on them.
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
    for (const tenant of ordered) {
      await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`feed:${this.domain}:${tenant}`]);
    }
    for (const [entity, ids] of this.touched) {
      await sql.execute(
        `INSERT INTO ${schema}.changes (tenant_id, entity, entity_id, seq)
         SELECT $1, $2, ids.id, nextval('${this.domain}.change_seq')
         FROM unnest($3::uuid[]) WITH ORDINALITY AS ids (id, n) ORDER BY ids.n
         ON CONFLICT (tenant_id, entity, entity_id) DO UPDATE SET seq = EXCLUDED.seq`,
        [this.tenantId, entity, [...ids]],
      );
    }
    if (coreIds.length > 0) await sql.query('SELECT master_data.record_core_changes($1::uuid[])', [coreIds]);
    return ordered;
  }
}
