import { postgresRoles } from '../../../sync-server/db/postgres-driver.ts';
import { startPgBouncer, type RunningPgBouncer } from '../../support/pgbouncer.ts';
import type { LoadClient } from './client-handle.ts';
import { closedLoopAll, type ClosedLoopOutcome } from './phases.ts';
import { startServerProcess, type ServerProcess } from './server-process.ts';

/** PgBouncer's server connections per (database, role): the server's own app pool size per domain database. */
export const POOLER_SERVER_CONNECTIONS = 4;

/** A private PgBouncer (transaction mode) in front of the deployment's PostgreSQL, for its app and system roles. */
export function startDeploymentPgBouncer(adminUrl: string, prefix: string): Promise<RunningPgBouncer> {
  const upstream = new URL(adminUrl);
  const roles = postgresRoles(prefix);
  return startPgBouncer({ upstream: { host: upstream.hostname || '127.0.0.1', port: Number(upstream.port || 5432) }, users: [roles.app, roles.system], poolSize: POOLER_SERVER_CONNECTIONS });
}

export interface PooledSaturation {
  /** Saturation of a server process whose request traffic goes through PgBouncer. */
  pooled: ClosedLoopOutcome;
  /** The direct process measured again right after, so direct, pooled, direct bracket the drift of a shared machine. */
  directAgain: ClosedLoopOutcome;
}

/**
 * Issue 9: "works behind PgBouncer in transaction mode — measure it too". A private
 * PgBouncer (test/support/pgbouncer.ts, transaction mode) in front of the deployment's
 * PostgreSQL, one more server process configured as a deployment would be
 * (CLINICSYNC_DATABASE_POOLER_URL: request traffic through the pooler, unnamed statements;
 * migrations and moves direct), the same closed loop as the direct saturation, then the
 * direct process again. Null (and a loud line) when PgBouncer cannot start here.
 */
export async function measurePooledSaturation(input: {
  clients: readonly LoadClient[];
  direct: ServerProcess;
  env: Record<string, string>;
  adminUrl: string;
  prefix: string;
  closedLoop: { concurrency: number; seconds: number };
  log: (line: string) => void;
}): Promise<PooledSaturation | null> {
  let bouncer: RunningPgBouncer;
  try {
    bouncer = await startDeploymentPgBouncer(input.adminUrl, input.prefix);
  } catch (error) {
    input.log(`!!! SKIPPED load_pgbouncer_ratio: ${(error as Error).message.split('\n')[0]} (apt-get install pgbouncer)`);
    return null;
  }
  let pooledServer: ServerProcess | undefined;
  try {
    pooledServer = await startServerProcess('pooled', { ...input.env, CLINICSYNC_DATABASE_POOLER_URL: bouncer.urlFor(input.adminUrl) });
    const pooled = await closedLoopAll(input.clients, pooledServer.url, input.closedLoop.concurrency, input.closedLoop.seconds);
    const directAgain = await closedLoopAll(input.clients, input.direct.url, input.closedLoop.concurrency, input.closedLoop.seconds);
    return { pooled, directAgain };
  } finally {
    await pooledServer?.stop();
    await bouncer.stop();
  }
}
