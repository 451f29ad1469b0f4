import pg from 'pg';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { postgresRoles } from '../db/postgres-driver.ts';
import { connectionUrl, databaseName } from '../db/postgres-urls.ts';

/**
 * Moves coordinate through one process's gate and placement cache, so a move must not run
 * while ANOTHER process serves the same deployment (its writes would miss the copy, and it
 * would keep routing to the old place). Every process that opens a PostgreSQL deployment
 * holds a shared advisory lock in the shared tenant_info database on a connection of its
 * own, for as long as it runs; a mover counts the other holders and refuses if there are
 * any. A process that dies loses its connection and with it the lock.
 *
 * PGlite needs none of this: its folder is opened by one process only.
 */
export interface ServingLease {
  /** How many other processes have this deployment open now. */
  othersServing(): Promise<number>;
  release(): Promise<void>;
}

const LOCK_CLASS = 0x436c6e63; // 'Clnc'
const LOCK_OBJECT = 1;

export async function takeServingLease(options: DatabaseOptions): Promise<ServingLease> {
  if (options.kind !== 'postgres') return { othersServing: async () => 0, release: async () => undefined };
  const url = connectionUrl(options.adminUrl, databaseName(options.databasePrefix, 'tenant_info'), postgresRoles(options.databasePrefix).system);
  let client = await hold(url);
  return {
    othersServing: async () => {
      if (client.lost) client = await hold(url); // the lock went with the connection; take it again first
      const rows = await client.connection.query<{ others: number }>(
        `SELECT count(DISTINCT pid)::int AS others FROM pg_locks
         WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND classid = $1 AND objid = $2 AND objsubid = 2 AND pid <> pg_backend_pid()`,
        [LOCK_CLASS, LOCK_OBJECT],
      );
      return rows.rows[0]?.others ?? 0;
    },
    release: () => client.connection.end().catch(() => undefined),
  };
}

async function hold(url: string): Promise<{ connection: pg.Client; lost: boolean }> {
  const connection = new pg.Client({ connectionString: url, application_name: 'clinicsync serving lease' });
  const held = { connection, lost: false };
  connection.on('error', () => (held.lost = true));
  connection.on('end', () => (held.lost = true));
  await connection.connect();
  try {
    await connection.query('SELECT pg_advisory_lock_shared($1, $2)', [LOCK_CLASS, LOCK_OBJECT]);
  } catch (error) {
    await connection.end().catch(() => undefined);
    throw error;
  }
  return held;
}
