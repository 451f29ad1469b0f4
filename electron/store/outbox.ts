import { mutationSchema, type Mutation, type MutationResult } from '../../shared/sync/mutation.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
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
    `INSERT INTO outbox (mutation_id, entity, entity_id, op, fields, hlc, base_version, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(checked.mutationId, checked.entity, checked.id, checked.op, JSON.stringify(checked.fields), checked.hlc, checked.baseVersion, now.toISOString());
}

/** The oldest pending mutations, in the order they were made. */
export function pendingBatch(db: Db, limit: number): Mutation[] {
  const rows = db
    .prepare<[number], OutboxRow>(
      `SELECT seq, mutation_id, entity, entity_id, op, fields, hlc, base_version FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?`,
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
  }));
}

export function pendingCount(db: Db): number {
  return db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE status = 'pending'`).get()?.n ?? 0;
}

/** Applies the server's verdicts in one transaction; unknown ids stay pending. */
export function settleOutbox(db: Db, results: readonly MutationResult[]): void {
  const remove = prepared(db, 'DELETE FROM outbox WHERE mutation_id = ?');
  const reject = prepared<[string, string, string], OutboxRow>(
    db,
    `UPDATE outbox SET status = 'rejected', reject_code = ?, reject_reason = ? WHERE mutation_id = ? AND status = 'pending' RETURNING *`,
  );
  db.transaction(() => {
    for (const result of results) {
      if (result.status !== 'rejected') {
        remove.run(result.mutationId);
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

