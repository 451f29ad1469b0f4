import { randomBytes } from 'node:crypto';
import { dropPostgresDeployment } from '../db/postgres-admin.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { pgliteTemplate } from './pglite-template.ts';

export type EngineName = 'pglite' | 'postgres';

export interface TestEngine {
  name: EngineName;
  /** False when the engine is not reachable here (the test file has recorded a loud skip). */
  available: boolean;
  /** PostgreSQL admin URL (unused for PGlite). */
  adminUrl: string;
}

/**
 * Every server suite runs on both engines. The test file probes PostgreSQL itself
 * (test/support/postgres.ts may be imported by test files only) and passes the answer.
 */
export function testEngines(postgresAvailable: boolean, postgresUrl: string): TestEngine[] {
  return [
    { name: 'pglite', available: true, adminUrl: '' },
    { name: 'postgres', available: postgresAvailable, adminUrl: postgresUrl },
  ];
}

export interface TestDatabase {
  options: DatabaseOptions;
  /** Removes what the test created (PostgreSQL: its eight databases and two roles). */
  drop(): Promise<void>;
}

/**
 * A fresh, empty, migrated deployment. PGlite: an in-memory instance from the shared
 * template. PostgreSQL: a unique prefix (`cs_t<random>`), so parallel runs never meet.
 */
export async function freshDatabase(engine: TestEngine): Promise<TestDatabase> {
  if (engine.name === 'pglite') return { options: { kind: 'pglite', loadDataDir: await pgliteTemplate() }, drop: async () => undefined };
  const { adminUrl } = engine;
  const databasePrefix = `cs_t${randomBytes(5).toString('hex')}`;
  return {
    options: { kind: 'postgres', adminUrl, databasePrefix, poolSize: 3 },
    drop: () => dropPostgresDeployment(adminUrl, databasePrefix),
  };
}
