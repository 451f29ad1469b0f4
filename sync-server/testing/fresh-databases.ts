import { afterAll, beforeAll } from 'vitest';
import type { DatabaseSet } from '../db/domain-db.ts';
import { openDatabases, type DatabaseOptions } from '../db/open-databases.ts';
import { silentLogger } from '../log.ts';
import { freshDatabase, type TestDatabase, type TestEngine } from './engines.ts';

/** PostgreSQL pool sizes, for a suite that must pin them (PGlite has no pools, so they do not apply there). */
export type PoolSizes = Pick<Extract<DatabaseOptions, { kind: 'postgres' }>, 'poolSize' | 'systemPoolSize'>;

/**
 * For suites that test the database layer itself (no server, no services): the eight
 * domain databases of a fresh, migrated deployment, opened in a beforeAll and closed and
 * dropped in an afterAll. Call it in the describe before the suite's own beforeAll, which
 * may then seed through the getter: vitest runs beforeAll hooks in the order they were
 * registered, and the afterAll hooks after the suite's own.
 * Its own file, not engines.ts: that one is also loaded by the benchmarks, outside vitest.
 */
export function useFreshDatabases(engine: TestEngine, pools: PoolSizes = {}): () => DatabaseSet {
  let db: TestDatabase | undefined;
  let dbs: DatabaseSet | undefined;
  beforeAll(async () => {
    db = await freshDatabase(engine);
    dbs = await openDatabases(db.options.kind === 'postgres' ? { ...db.options, ...pools } : db.options, silentLogger);
  });
  afterAll(async () => {
    await dbs?.close();
    await db?.drop();
  });
  return () => {
    // A use at collection time (outside a hook or test), or after the set-up failed.
    if (dbs === undefined) throw new Error('useFreshDatabases: the databases are opened in beforeAll; use them in a hook or a test');
    return dbs;
  };
}
