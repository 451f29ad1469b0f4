import type { DomainDb } from '../db/domain-db.ts';

export type QueueName = 'outbox' | 'jobs';

export interface QueueSnapshot {
  /** The orgs with the most rows waiting, at most `maxTenants` per queue (label cardinality). */
  perTenant: { tenantId: string; queue: QueueName; depth: number }[];
  /** Every queue, all orgs together, even when empty. */
  totals: { queue: QueueName; depth: number; oldestSeconds: number }[];
}

const QUEUES: readonly QueueName[] = ['outbox', 'jobs'];

/**
 * Counts what waits in process_automation, as one explicit, logged system access (it looks
 * across orgs, as the relay and the runner do). Both filters match the partial indexes the
 * relay and the runner poll with (outbox_unpublished, jobs_due). It reads the shared
 * database: an org whose process_automation moved to a dedicated one is not counted here.
 */
export async function readQueueDepth(db: DomainDb, maxTenants: number): Promise<QueueSnapshot> {
  const rows = await db.system('metrics: queue depth of every org', (sql) =>
    sql.query<{ queue: QueueName; tenantId: string; depth: number; oldestSeconds: number }>(
      `WITH waiting AS (
         SELECT 'outbox' AS queue, tenant_id, created_at AS since FROM process_automation.outbox WHERE published_at IS NULL
         UNION ALL
         SELECT 'jobs', tenant_id, run_at FROM process_automation.jobs WHERE status IN ('queued', 'running')
       )
       SELECT queue, tenant_id::text AS "tenantId", count(*)::int AS depth,
              greatest(0, extract(epoch FROM now() - min(since)))::float8 AS "oldestSeconds"
       FROM waiting GROUP BY queue, tenant_id`,
    ),
  );
  const perTenant: QueueSnapshot['perTenant'] = [];
  const totals: QueueSnapshot['totals'] = [];
  for (const queue of QUEUES) {
    const of = rows.filter((row) => row.queue === queue).sort((a, b) => b.depth - a.depth || (a.tenantId < b.tenantId ? -1 : 1));
    for (const row of of.slice(0, maxTenants)) perTenant.push({ tenantId: row.tenantId, queue, depth: Number(row.depth) });
    totals.push({
      queue,
      depth: of.reduce((sum, row) => sum + Number(row.depth), 0),
      oldestSeconds: of.reduce((oldest, row) => Math.max(oldest, Number(row.oldestSeconds)), 0),
    });
  }
  return { perTenant, totals };
}
