import type { SyncedDomain } from '../../../shared/domains.ts';
import type { HybridClock } from '../../../shared/hlc.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { DomainDb } from '../../db/domain-db.ts';
import type { Sql } from '../../db/sql.ts';
import type { ImportKind, ImportReport, RowPlace } from './import-report.ts';

/** The three domain databases an import writes, each used only by its own writer, and how to tell workstations. */
export interface ImportTargets {
  masterData: DomainDb;
  personnel: DomainDb;
  scheduling: DomainDb;
  clock: HybridClock;
  /** After a batch commits: poke the orgs whose feed of that domain moved. */
  notify: (domain: SyncedDomain, tenantIds: readonly string[]) => void;
}

/** One import run of one org: its id marks the keys it claims, so a second claim in the same run is a duplicate in the file. */
export interface ImportRun {
  runId: string;
  tenantId: string;
  targets: ImportTargets;
  report: ImportReport;
}

export function newImportRun(targets: ImportTargets, tenantId: string, report: ImportReport): ImportRun {
  return { runId: uuidv7(), tenantId, targets, report };
}

/** What became of one row in a batch; applied to the report only once the batch committed. */
export type RowOutcome =
  | { place: RowPlace; result: 'created' | 'linked' | 'unchanged'; warning?: { field: string; message: string } }
  | { place: RowPlace; result: 'failed'; field: string; message: string };

export function applyOutcomes(report: ImportReport, kind: ImportKind, outcomes: readonly RowOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.result === 'failed') {
      report.fail(kind, outcome.place, outcome.field, outcome.message);
      continue;
    }
    report.counts[kind][outcome.result]++;
    if (outcome.warning) report.warn(kind, outcome.place, outcome.warning.field, outcome.warning.message);
  }
}

/**
 * Imports of one org take turns batch by batch (a transaction-level advisory lock), so two
 * runs at once cannot both find an MRN or a source key missing and both create it.
 */
export async function lockImport(sql: Sql, tenantId: string): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`import:${tenantId}`]);
}

/** Each writer's import-key table (a migration in its own domain) and the column naming what a key became. */
const KEY_TABLES = {
  master_data: { table: 'master_data.import_keys', target: 'patient_id' },
  personnel: { table: 'personnel.import_keys', target: 'staff_id' },
  scheduling: { table: 'scheduling.import_keys', target: 'target_id' },
} as const;
export type KeyDomain = keyof typeof KEY_TABLES;

/** Import keys already claimed, with the run that last claimed each and what each became. */
export async function claimedKeys(sql: Sql, domain: KeyDomain, tenantId: string, keys: readonly string[]): Promise<Map<string, { runId: string; targetId: string }>> {
  if (keys.length === 0) return new Map();
  const { table, target } = KEY_TABLES[domain];
  const rows = await sql.query<{ key: string; runId: string; targetId: string }>(
    `SELECT source_key AS key, run_id::text AS "runId", ${target}::text AS "targetId" FROM ${table} WHERE tenant_id = $1 AND source_key = ANY ($2::text[])`,
    [tenantId, [...keys]],
  );
  return new Map(rows.map((row) => [row.key, { runId: row.runId, targetId: row.targetId }]));
}

/** Records (or re-points) keys for this run; `entity` only for scheduling, which keeps locations and appointments in one table. */
export async function claimKeys(sql: Sql, domain: KeyDomain, run: ImportRun, keys: readonly { key: string; targetId: string; entity?: string }[]): Promise<void> {
  if (keys.length === 0) return;
  const { table, target } = KEY_TABLES[domain];
  const entity = domain === 'scheduling';
  await sql.execute(
    `INSERT INTO ${table} (tenant_id, source_key, ${target}, run_id${entity ? ', entity' : ''})
     SELECT $1, x.key, x."targetId", $3${entity ? ', x.entity' : ''}
     FROM jsonb_to_recordset($2::jsonb) AS x (key text, "targetId" uuid, entity text)
     ON CONFLICT (tenant_id, source_key) DO UPDATE SET ${target} = EXCLUDED.${target}, run_id = EXCLUDED.run_id, updated_at = now()`,
    [run.tenantId, JSON.stringify(keys), run.runId],
  );
}
