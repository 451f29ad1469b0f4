import type { Domain } from '../../shared/domains.ts';
import type { Logger } from '../log.ts';
import type { DatabaseSet } from './domain-db.ts';
import { openPgliteDatabases } from './pglite-driver.ts';
import { openPostgresDatabases } from './postgres-driver.ts';

export type DatabaseOptions =
  | { kind: 'pglite'; dataDir?: string; /** start an in-memory instance from a migrated template (tests) */ loadDataDir?: Blob }
  | { kind: 'postgres'; adminUrl: string; databasePrefix: string; poolSize?: number; /** a transaction-mode pooler for request traffic */ poolerUrl?: string };

/** Picks the engine at start-up; everything above sees only DatabaseSet. */
export function openDatabases(options: DatabaseOptions, log: Logger): Promise<DatabaseSet> {
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
