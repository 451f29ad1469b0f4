import type { Domain } from '../../shared/domains.ts';
import type { Logger } from '../log.ts';
import { routePlacements, type PlacementSettings } from '../placement/tenant-placements.ts';
import type { DatabaseSet, PhysicalDatabases } from './domain-db.ts';
import { openPgliteDatabases } from './pglite-driver.ts';
import { openPostgresDatabases } from './postgres-driver.ts';

export type DatabaseOptions =
  | { kind: 'pglite'; dataDir?: string; /** start an in-memory instance from a migrated template (tests) */ loadDataDir?: Blob }
  | {
      kind: 'postgres';
      adminUrl: string;
      databasePrefix: string;
      /** App (tenant-scoped) connections per domain database; see postgres-driver.ts for the default and the budget. */
      poolSize?: number;
      /** System-role connections per domain database. */
      systemPoolSize?: number;
      /** a transaction-mode pooler for request traffic */
      poolerUrl?: string;
    };

/**
 * Picks the engine at start-up and opens the shared deployment; the domains an org can
 * take to a dedicated placement are routed per org (sync-server/placement/). Everything
 * above sees only DatabaseSet.
 */
export async function openDatabases(options: DatabaseOptions, log: Logger, settings: PlacementSettings = {}): Promise<DatabaseSet> {
  const shared = await openSharedDatabases(options, log);
  try {
    const { domains, placements } = await routePlacements(shared, options, log, settings);
    return {
      ...shared,
      domains,
      placements,
      close: async () => {
        await placements.close();
        await shared.close();
      },
    };
  } catch (error) {
    await shared.close().catch(() => undefined);
    throw error;
  }
}

function openSharedDatabases(options: DatabaseOptions, log: Logger): Promise<PhysicalDatabases> {
  const onSystemAccess = (domain: Domain, reason: string) => log({ level: 'debug', event: 'system_access', domain, reason });
  if (options.kind === 'pglite') {
    return openPgliteDatabases({
      onSystemAccess,
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  }
  return openPostgresDatabases({ ...options, onSystemAccess });
}
