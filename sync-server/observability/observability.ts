import type { IncomingMessage } from 'node:http';
import type { PokeBus } from '../bus/poke-bus.ts';
import type { DatabaseSet } from '../db/domain-db.ts';
import type { Logger } from '../log.ts';
import { createServerMetrics, type ServerMetrics } from './metrics.ts';
import { readQueueDepth } from './queue-depth.ts';
import { requestIdOf } from './request-id.ts';
import { SyncLagTracker } from './sync-lag.ts';

/** How a server is observed (SyncServerOptions.metrics); the endpoint itself is metrics-server.ts. */
export interface MetricsOptions {
  /** The metrics listener: its own host and port (never the API's), and a bearer token if set. Absent: no endpoint. */
  listen?: { host: string; port: number; token?: string };
  /** Per-org series cover orgs active in this window (default 15 minutes). */
  tenantWindowMs?: number;
  /** At most this many orgs get per-org series, per metric (default 500). */
  maxTenants?: number;
}

export const DEFAULT_TENANT_WINDOW_MS = 15 * 60_000;
export const DEFAULT_MAX_TENANTS = 500;

/** One server's metrics, sync-lag tracking and request ids. */
export interface Observability {
  metrics: ServerMetrics;
  syncLag: SyncLagTracker;
  log: Logger;
  /** The context of one HTTP request: its id (from `x-request-id` or new) for every call of a batch. */
  httpRequest(req: IncomingMessage): ObservedConnection;
  /** The context of one WebSocket connection: its id, and `<id>.<n>` for its n-th call. */
  webSocket(req: IncomingMessage): ObservedConnection;
  /** Where the WebSocket gauge reads from, once the HTTP server is up. */
  countWebSockets(count: () => number): void;
  close(): void;
}

export interface ObservedConnection {
  readonly requestId: string;
  readonly observability: Observability;
  nextCallId(): string;
}

export function createObservability(deps: { databases: DatabaseSet; bus: PokeBus; log: Logger }, options: MetricsOptions = {}): Observability {
  const maxTenants = options.maxTenants ?? DEFAULT_MAX_TENANTS;
  let webSockets = () => 0;
  let syncLag: SyncLagTracker | null = null;
  const metrics = createServerMetrics(
    {
      tenantSyncLag: () => syncLag?.lagSeconds() ?? new Map(),
      queues: () => readQueueDepth(deps.databases.domains.process_automation, maxTenants),
      pools: () => deps.databases.poolStats?.() ?? [],
      statements: () => deps.databases.statementCounts?.() ?? [],
      webSockets: () => webSockets(),
    },
    { processMetrics: options.listen !== undefined },
  );
  syncLag = new SyncLagTracker(deps.bus, {
    windowMs: options.tenantWindowMs ?? DEFAULT_TENANT_WINDOW_MS,
    maxTenants,
    onCovered: (domain, seconds) => metrics.syncLag.observe({ domain }, seconds),
  });
  const tracker = syncLag;
  const observability: Observability = {
    metrics,
    syncLag: tracker,
    log: deps.log,
    httpRequest: (req) => {
      const requestId = requestIdOf(req);
      return { requestId, observability, nextCallId: () => requestId };
    },
    webSocket: (req) => {
      const requestId = requestIdOf(req);
      let calls = 0;
      return { requestId, observability, nextCallId: () => `${requestId}.${++calls}` };
    },
    countWebSockets: (count) => {
      webSockets = count;
    },
    close: () => tracker.close(),
  };
  return observability;
}
