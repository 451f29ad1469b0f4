import { mutationSchema, type FieldConflict, type Mutation, type MutationResult } from '../../shared/sync/mutation.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
import { recordConflict } from './conflicts.ts';
import { rollBackRefused } from './rejected-rollback.ts';

interface OutboxRow {
  seq: number;
  mutation_id: string;
  entity: string;
  entity_id: string;
  op: string;
  fields: string;
  hlc: string;
  base_version: number | null;
  base_hlc: string | null;
}

export interface RejectedMutation {
  mutationId: string;
  entity: string;
  entityId: string;
  code: string;
  reason: string;
}

/** Appends inside the caller's transaction (the same one that wrote the row). */
export function appendToOutbox(db: Db, mutation: Mutation, now: Date = new Date()): void {
  const checked = mutationSchema.parse(mutation);
  prepared(
    db,
    `INSERT INTO outbox (mutation_id, entity, entity_id, op, fields, hlc, base_version, base_hlc, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    checked.mutationId,
    checked.entity,
    checked.id,
    checked.op,
    JSON.stringify(checked.fields),
    checked.hlc,
    checked.baseVersion,
    checked.baseHlc ? JSON.stringify(checked.baseHlc) : null,
    now.toISOString(),
  );
}

/** The oldest pending mutations, in the order they were made. */
export function pendingBatch(db: Db, limit: number): Mutation[] {
  const rows = db
    .prepare<[number], OutboxRow>(
      `SELECT seq, mutation_id, entity, entity_id, op, fields, hlc, base_version, base_hlc FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`,
    )
    .all(limit);
  return rows.map((row) => ({
    mutationId: row.mutation_id,
    entity: row.entity as EntityName,
    id: row.entity_id,
    op: row.op === 'delete' ? 'delete' : 'upsert',
    fields: JSON.parse(row.fields) as Record<string, unknown>,
    hlc: row.hlc,
    baseVersion: row.base_version,
    ...(row.base_hlc ? { baseHlc: JSON.parse(row.base_hlc) as Record<string, string> } : {}),
  }));
}

export function pendingCount(db: Db): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get()?.n ?? 0;
}

/** Applies the server's verdicts in one transaction; unknown ids stay pending. */
export function settleOutbox(db: Db, results: readonly MutationResult[]): void {
  const remove = prepared<[string], OutboxRow>(db, 'DELETE FROM outbox WHERE mutation_id = ? RETURNING *');
  const reject = prepared<[string, string, string], OutboxRow>(
    db,
    `UPDATE outbox SET status = 'rejected', reject_code = ?, reject_reason = ? WHERE mutation_id = ? AND status = 'pending' RETURNING *`,
  );
  db.transaction(() => {
    for (const result of results) {
      if (result.status !== 'rejected') {
        const settled = remove.get(result.mutationId);
        if (settled && result.conflicts) logConcurrentEdits(db, settled, result.conflicts);
        continue;
      }
      const refused = reject.get(result.code ?? 'VALIDATION', result.reason ?? 'The server refused this change.', result.mutationId);
      if (refused) {
        rollBackRefused(db, { entity: refused.entity as EntityName, id: refused.entity_id, fields: JSON.parse(refused.fields) as Record<string, unknown>, baseVersion: refused.base_version });
      }
    }
  })();
}

export function rejectedMutations(db: Db): RejectedMutation[] {
  return db
    .prepare<[], { mutation_id: string; entity: string; entity_id: string; reject_code: string; reject_reason: string }>(
      `SELECT mutation_id, entity, entity_id, reject_code, reject_reason FROM outbox WHERE status = 'rejected' ORDER BY seq`,
    )
    .all()
    .map((row) => ({ mutationId: row.mutation_id, entity: row.entity, entityId: row.entity_id, code: row.reject_code, reason: row.reject_reason }));
}

/** Entity ids with local changes the server has not acknowledged yet. */
export function hasPendingChange(db: Db, entity: EntityName, id: string): boolean {
  return prepared(db, `SELECT 1 FROM outbox WHERE entity = ? AND entity_id = ? AND status = 'pending' LIMIT 1`).get(entity, id) !== undefined;
}

/** Whether any local change awaits the server (a pulled page over an empty outbox needs no per-row look-up). */
export function hasAnyPending(db: Db): boolean {
  return prepared(db, `SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1`).get() !== undefined;
}


/**
 * The server applied a queued change over another device's concurrent edit of the same
 * fields: whichever value lost goes to the conflict log here, the one place that knows
 * both (the log ignores an entry it already holds, e.g. from the pull before the push).
 */
function logConcurrentEdits(db: Db, settled: OutboxRow, conflicts: readonly FieldConflict[]): void {
  const mine = JSON.parse(settled.fields) as Record<string, unknown>;
  for (const conflict of conflicts) {
    const ours = { value: mine[conflict.field], hlc: settled.hlc };
    const theirs = { value: conflict.theirValue, hlc: conflict.theirHlc };
    const [losing, winning] = conflict.winner === 'mine' ? [theirs, ours] : [ours, theirs];
    recordConflict(db, {
      entity: settled.entity as EntityName,
      entityId: settled.entity_id,
      field: conflict.field,
      losingValue: losing.value,
      losingHlc: losing.hlc,
      winningValue: winning.value,
      winningHlc: winning.hlc,
      source: conflict.winner === 'mine' ? 'remote' : 'local',
    });
  }
}
