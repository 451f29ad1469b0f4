import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { vi } from 'vitest';
import { lockDataFolder } from '../../../sync-server/db/folder-lock.ts';
import { connectionUrl, databaseName } from '../../../sync-server/db/postgres-urls.ts';
import { ident } from '../../../sync-server/db/sql.ts';

/**
 * Holds a push transaction open on the server at a chosen point, from the test side only
 * (no hook in the server): a statement trigger on one of master_data's tables, installed
 * while the server is down, fires once the batch's rows of that table are written and
 * sleeps there, inside the transaction, until the test kills the server. It says so
 * where the test can see it: on PostgreSQL in pg_stat_activity (the backend, its open
 * transaction, its xid); on PGlite, whose only backend lives inside the server process,
 * in a file it writes into the data folder (COPY TO, as the superuser) before sleeping.
 */
export type StallPoint = 'ledger' | 'rows' | 'feed';

/** Where each point sits in a push: after the ledger claim, after the records, in the feed flush just before commit. */
const STALL_TABLE: Record<StallPoint, { table: string; idColumn: string }> = {
  ledger: { table: 'applied_mutations', idColumn: 'entity_id' },
  rows: { table: 'tenant_patients', idColumn: 'patient_id' },
  feed: { table: 'changes', idColumn: 'entity_id' },
};

export type ServerDatabase = { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; adminUrl: string; databasePrefix: string };

type Query = <Row>(text: string, params?: unknown[]) => Promise<Row[]>;

const APP_NAME = 'clinicsync-crash-stall';
const SIGNAL_FILE = 'crash-stall.signal';
// Far longer than the test takes to see the signal and kill: the transaction cannot reach its commit first.
const STALL_SECONDS = 120;

/**
 * master_data as the admin sees it (RLS does not apply), while the server is down for
 * PGlite (the folder is locked against it), at any time for PostgreSQL.
 */
async function withMasterData<T>(database: ServerDatabase, fn: (query: Query, dataDirectory: string) => Promise<T>): Promise<T> {
  if (database.kind === 'pglite') {
    const lock = lockDataFolder(database.dataDir);
    try {
      const db = await PGlite.create({ dataDir: database.dataDir });
      try {
        const query: Query = async <Row>(text: string, params: unknown[] = []) => (await db.query<Row>(text, params)).rows;
        const [{ data_directory: dataDirectory }] = (await query<{ data_directory: string }>('SHOW data_directory')) as [{ data_directory: string }];
        return await fn(query, dataDirectory);
      } finally {
        await db.close();
      }
    } finally {
      lock.release();
    }
  }
  const client = new pg.Client({ connectionString: connectionUrl(database.adminUrl, databaseName(database.databasePrefix, 'master_data')) });
  await client.connect();
  try {
    return await fn(async <Row>(text: string, params: unknown[] = []) => (await client.query(text, params)).rows as Row[], '');
  } finally {
    await client.end();
  }
}

/** A push transaction seen held at its stall point, with the rows it had written by then. */
export interface HeldPush {
  point: StallPoint;
  rowsWritten: number;
  /** The held transaction's id (pg_current_xact_id() inside it): it had written, so it has one. */
  xid: string;
  /** PostgreSQL only: what pg_stat_activity showed of the backend while it was held. */
  backend?: { pid: number; state: string; waitEvent: string; inTransaction: boolean; xid: string | null; query: string };
}

/**
 * Installs the stall at `point` for the push that writes `markerId` (a record id of the
 * batch under test, so no other write is held). Call while the server is down: PGlite's
 * folder is the server's own, and on PostgreSQL the backends the restarted server opens
 * pick up client_connection_check_interval, so one orphaned by the kill notices its
 * client is gone during the sleep and rolls back at once (as it would at its next read).
 */
export async function armStall(database: ServerDatabase, point: StallPoint, markerId: string): Promise<void> {
  const { table, idColumn } = STALL_TABLE[point];
  await withMasterData(database, async (query, dataDirectory) => {
    if (database.kind === 'pglite') rmSync(join(database.dataDir, SIGNAL_FILE), { force: true });
    const signal =
      database.kind === 'pglite' ? `EXECUTE format('COPY (SELECT %L) TO %L', said, ${literal(`${dataDirectory}/${SIGNAL_FILE}`)});` : '';
    await query(`CREATE OR REPLACE FUNCTION master_data.crash_test_stall() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
      DECLARE written bigint; said text;
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM inserted WHERE ${idColumn} = ${literal(markerId)}::uuid) THEN RETURN NULL; END IF;
        SELECT count(*) INTO written FROM inserted;
        said := format('%s %s %s', TG_ARGV[0], written, pg_current_xact_id());
        PERFORM set_config('application_name', '${APP_NAME} ' || said, true);
        ${signal}
        PERFORM pg_sleep(${STALL_SECONDS});
        RETURN NULL;
      END $$`);
    await query(`CREATE TRIGGER crash_test_stall AFTER INSERT ON master_data.${table} REFERENCING NEW TABLE AS inserted
      FOR EACH STATEMENT EXECUTE FUNCTION master_data.crash_test_stall(${literal(point)})`);
    if (database.kind === 'postgres') await query(`ALTER DATABASE ${ident(databaseName(database.databasePrefix, 'master_data'))} SET client_connection_check_interval = 100`);
  });
}

/** Waits until the push is held at its stall point (its rows written, its transaction open). */
export async function waitUntilHeld(database: ServerDatabase): Promise<HeldPush> {
  return vi.waitFor(
    async () => {
      if (database.kind === 'pglite') {
        const file = join(database.dataDir, SIGNAL_FILE);
        const said = existsSync(file) ? readFileSync(file, 'utf8') : '';
        if (!said.endsWith('\n')) throw new Error('the push is not held yet');
        const [point, written, xid] = said.trim().split(' ');
        return { point: point as StallPoint, rowsWritten: Number(written), xid: xid ?? '' };
      }
      const [row] = await withMasterData(database, (query) =>
        query<{ pid: number; state: string; wait_event: string; in_transaction: boolean; xid: string | null; query: string; application_name: string }>(
          `SELECT pid, state, wait_event, xact_start IS NOT NULL AS in_transaction, backend_xid::text AS xid, query, application_name
           FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE '${APP_NAME} %'`,
        ),
      );
      if (!row || row.wait_event !== 'PgSleep') throw new Error('the push is not held yet');
      const [, point, written, xid] = row.application_name.split(' ');
      return {
        point: point as StallPoint,
        rowsWritten: Number(written),
        xid: xid ?? '',
        backend: { pid: row.pid, state: row.state, waitEvent: row.wait_event, inTransaction: row.in_transaction, xid: row.xid, query: row.query },
      };
    },
    { timeout: 60_000, interval: 25 },
  );
}

/**
 * After the kill, PostgreSQL: waits until the held backend is gone (it notices its client
 * is gone within client_connection_check_interval) and returns how its transaction ended:
 * 'aborted', or 'committed' had it reached its commit after all. PGlite: null (its backend
 * died with the process; what survived is read after the restart).
 */
export async function heldTransactionEnd(database: ServerDatabase, held: HeldPush): Promise<string | null> {
  const backend = held.backend;
  if (database.kind === 'pglite' || !backend) return null;
  return withMasterData(database, async (query) => {
    await vi.waitFor(
      async () => {
        if ((await query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend.pid])).length > 0) throw new Error(`backend ${backend.pid} is still there`);
      },
      { timeout: 60_000, interval: 50 },
    );
    return (await query<{ status: string }>('SELECT pg_xact_status($1::xid8) AS status', [held.xid]))[0]?.status ?? null;
  });
}

/** Removes the stall (before the restart that lets the workstation retry). */
async function dropStall(database: ServerDatabase, query: Query): Promise<void> {
  for (const { table } of Object.values(STALL_TABLE)) await query(`DROP TRIGGER IF EXISTS crash_test_stall ON master_data.${table}`);
  await query('DROP FUNCTION IF EXISTS master_data.crash_test_stall()');
  if (database.kind === 'postgres') await query(`ALTER DATABASE ${ident(databaseName(database.databasePrefix, 'master_data'))} RESET client_connection_check_interval`);
}

/**
 * batchOnServer, then the stall removed, in one opening of the data (on PGlite each opening
 * costs seconds: a start and, after the kill, a crash recovery). The batch is read first,
 * so it is what the kill left, before anything else touches the database.
 */
export async function batchOnServerThenDisarm(database: ServerDatabase, tenantId: string, mutationIds: readonly string[], patientIds: readonly string[]): Promise<BatchOnServer> {
  const batch = await withMasterData(database, async (query) => {
    const found = await readBatch(query, tenantId, mutationIds, patientIds);
    await dropStall(database, query);
    return found;
  });
  if (database.kind === 'pglite') rmSync(join(database.dataDir, SIGNAL_FILE), { force: true });
  return batch;
}

/** What the server holds of a batch of new patients, read straight from its tables. */
export interface BatchOnServer {
  ledger: number;
  ledgerDevices: string[];
  patients: number;
  links: number;
  feed: number;
  versions: number[];
}

export async function batchOnServer(database: ServerDatabase, tenantId: string, mutationIds: readonly string[], patientIds: readonly string[]): Promise<BatchOnServer> {
  return withMasterData(database, (query) => readBatch(query, tenantId, mutationIds, patientIds));
}

async function readBatch(query: Query, tenantId: string, mutationIds: readonly string[], patientIds: readonly string[]): Promise<BatchOnServer> {
  const count = async (text: string, params: unknown[]) => Number((await query<{ n: string }>(text, params))[0]?.n ?? 0);
  const ledgerDevices = await query<{ device: string }>(
    'SELECT DISTINCT device_id::text AS device FROM master_data.applied_mutations WHERE tenant_id = $1 AND mutation_id = ANY ($2::uuid[])',
    [tenantId, mutationIds],
  );
  const versions = await query<{ version: number }>(
    `SELECT DISTINCT version FROM (SELECT version FROM master_data.patients WHERE id = ANY ($2::uuid[])
       UNION ALL SELECT version FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = ANY ($2::uuid[])) v ORDER BY version`,
    [tenantId, patientIds],
  );
  return {
    ledger: await count('SELECT count(*) AS n FROM master_data.applied_mutations WHERE tenant_id = $1 AND mutation_id = ANY ($2::uuid[])', [tenantId, mutationIds]),
    ledgerDevices: ledgerDevices.map((row) => row.device),
    patients: await count('SELECT count(*) AS n FROM master_data.patients WHERE id = ANY ($1::uuid[])', [patientIds]),
    links: await count('SELECT count(*) AS n FROM master_data.tenant_patients WHERE tenant_id = $1 AND patient_id = ANY ($2::uuid[])', [tenantId, patientIds]),
    feed: await count(`SELECT count(*) AS n FROM master_data.changes WHERE tenant_id = $1 AND entity = 'patient' AND entity_id = ANY ($2::uuid[])`, [tenantId, patientIds]),
    versions: versions.map((row) => Number(row.version)),
  };
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
