import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStat } from '../db/domain-db.ts';
import type { StatementCount } from '../db/statement-tally.ts';
import type { QueueSnapshot } from './queue-depth.ts';

/** What the gauges read at scrape time; each source belongs to another part of the server. */
export interface MetricSources {
  /** Age in seconds of each active org's oldest feed write no pull has read past yet (sync-lag.ts). */
  tenantSyncLag(): ReadonlyMap<string, number>;
  /** Outbox and job rows waiting, per org (top orgs only) and in total (queue-depth.ts). */
  queues(): Promise<QueueSnapshot>;
  /** Connections of each domain database's pools (PostgreSQL; PGlite has no pool). */
  pools(): readonly PoolStat[];
  /** Statements sent to each domain database since it opened (statement-tally.ts; both engines). */
  statements(): readonly StatementCount[];
  /** Open WebSocket connections (set once the HTTP server is up). */
  webSockets(): number;
}

/** Every metric this server exposes, in one Registry per server instance (never prom-client's global one). */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'procedure' | 'code'>;
  requestDuration: Histogram<'procedure'>;
  syncLag: Histogram<'domain'>;
  pokeSubscriptions: Gauge;
}

/** Request durations: a pull page is milliseconds, a big push or an export chunk seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Sync lag: milliseconds when pokes work, the devices' poll interval when they do not, minutes when an org's devices are away. */
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];

export function createServerMetrics(sources: MetricSources, options: { processMetrics: boolean }): ServerMetrics {
  const registry = new Registry();
  const registers = [registry];
  // Process metrics (CPU, memory, event loop lag) only for a server that is scraped: their
  // event-loop monitor would otherwise run for every server a test process ever starts.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'clinicsync_requests_total',
    help: 'Procedure calls (HTTP and WebSocket) by procedure and outcome: OK or the shared error code the caller was sent.',
    labelNames: ['procedure', 'code'] as const,
    registers,
  });
  const requestDuration = new Histogram({
    name: 'clinicsync_request_duration_seconds',
    help: 'Time from a call entering the procedure chain to its answer (or, for a subscription, to its start).',
    labelNames: ['procedure'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const syncLag = new Histogram({
    name: 'clinicsync_sync_lag_seconds',
    help: "Time from an org's feed write (heard on the poke bus) to the first pull on this process that read that org's feed of the domain past it.",
    labelNames: ['domain'] as const,
    buckets: LAG_BUCKETS,
    registers,
  });
  new Gauge({
    name: 'clinicsync_tenant_sync_lag_seconds',
    help: 'Per active org: age of its oldest feed write that no pull on this process has read past yet (0: every write was pulled). Take min() across processes.',
    labelNames: ['tenant_id'] as const,
    registers,
    collect() {
      this.reset();
      for (const [tenantId, seconds] of sources.tenantSyncLag()) this.set({ tenant_id: tenantId }, seconds);
    },
  });

  // One query per scrape feeds all three queue gauges (they collect concurrently).
  let queues: Promise<QueueSnapshot> | null = null;
  const snapshot = () => (queues ??= sources.queues().finally(() => (queues = null)));
  new Gauge({
    name: 'clinicsync_tenant_queue_depth',
    help: 'Rows waiting per org: queue="outbox" (events not yet relayed to the bus), queue="jobs" (jobs queued or running). Only the orgs with the most rows waiting are listed.',
    labelNames: ['tenant_id', 'queue'] as const,
    registers,
    async collect() {
      const { perTenant } = await snapshot();
      this.reset();
      for (const row of perTenant) this.set({ tenant_id: row.tenantId, queue: row.queue }, row.depth);
    },
  });
  new Gauge({
    name: 'clinicsync_queue_depth',
    help: 'Rows waiting in each queue, all orgs together.',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const { totals } = await snapshot();
      this.reset();
      for (const total of totals) this.set({ queue: total.queue }, total.depth);
    },
  });
  new Gauge({
    name: 'clinicsync_queue_oldest_seconds',
    help: 'Age of the oldest waiting row of each queue (jobs: how overdue the most overdue job is; 0 when none waits).',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      const { totals } = await snapshot();
      this.reset();
      for (const total of totals) this.set({ queue: total.queue }, total.oldestSeconds);
    },
  });

  new Gauge({
    name: 'clinicsync_db_pool_connections',
    help: 'Connections of each domain database pool (pool="app": tenant-scoped requests, "system": system access) by state (in_use, idle).',
    labelNames: ['domain', 'pool', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const stat of sources.pools()) {
        this.set({ domain: stat.domain, pool: stat.pool, state: 'in_use' }, stat.total - stat.idle);
        this.set({ domain: stat.domain, pool: stat.pool, state: 'idle' }, stat.idle);
      }
    },
  });
  new Gauge({
    name: 'clinicsync_db_pool_waiting_clients',
    help: 'Callers waiting for a connection of each domain database pool (a full pool).',
    labelNames: ['domain', 'pool'] as const,
    registers,
    collect() {
      this.reset();
      for (const stat of sources.pools()) this.set({ domain: stat.domain, pool: stat.pool }, stat.waiting);
    },
  });

  new Counter({
    name: 'clinicsync_db_statements_total',
    help: 'Statements sent to each domain database (pool="app": tenant-scoped requests, "system": system access); on PostgreSQL each is one round trip, and a BEGIN that also sets the tenant counts once.',
    labelNames: ['domain', 'pool'] as const,
    registers,
    collect() {
      // The drivers keep the running totals (a statement costs an increment there, no label lookup); copied at scrape time.
      this.reset();
      for (const count of sources.statements()) this.inc({ domain: count.domain, pool: count.pool }, count.statements);
    },
  });

  new Gauge({
    name: 'clinicsync_websocket_connections',
    help: 'Open WebSocket connections to this process.',
    registers,
    collect() {
      this.set(sources.webSockets());
    },
  });
  const pokeSubscriptions = new Gauge({
    name: 'clinicsync_poke_subscriptions',
    help: 'Live sync.pokes subscriptions (a workstation listening for its org\'s changes) on this process.',
    registers,
  });

  return { registry, requests, requestDuration, syncLag, pokeSubscriptions };
}
