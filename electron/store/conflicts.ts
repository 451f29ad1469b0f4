import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';

export interface ConflictRecord {
  entity: EntityName;
  entityId: string;
  field: string;
  losingValue: unknown;
  losingHlc: string | null;
  winningValue: unknown;
  winningHlc: string | null;
  /** Which side lost: the value this device held, or the one the server sent. */
  source: 'local' | 'remote';
}

export type ConflictChoice = 'winner' | 'loser';

/** A logged conflict as the conflict list shows it. */
export interface LoggedConflict extends ConflictRecord {
  id: number;
  createdAt: string;
  /** Null while open; what a person chose, when, and who (local user id). */
  resolution: { keep: ConflictChoice; at: string; by: string | null } | null;
}

/** '*' marks a whole record that lost (a local edit of a record the server removed). */
export const WHOLE_RECORD = '*';

/**
 * Keeps a value that lost a merge (inside the encrypted store only). The same loss can be
 * seen twice (the pull before a push, then the server's answer to it): one entry per
 * (record, field, losing and winning HLC).
 */
export function recordConflict(db: Db, conflict: ConflictRecord, now: Date = new Date()): void {
  prepared(
    db,
    `INSERT INTO conflicts (entity, entity_id, field, losing_value, losing_hlc, winning_value, winning_hlc, source, created_at)
     SELECT @entity, @entityId, @field, @losingValue, @losingHlc, @winningValue, @winningHlc, @source, @createdAt
     WHERE NOT EXISTS (
       SELECT 1 FROM conflicts
       WHERE entity = @entity AND entity_id = @entityId AND field = @field AND losing_hlc IS @losingHlc AND winning_hlc IS @winningHlc
     )`,
  ).run({
    entity: conflict.entity,
    entityId: conflict.entityId,
    field: conflict.field,
    losingValue: JSON.stringify(conflict.losingValue ?? null),
    losingHlc: conflict.losingHlc,
    winningValue: JSON.stringify(conflict.winningValue ?? null),
    winningHlc: conflict.winningHlc,
    source: conflict.source,
    createdAt: now.toISOString(),
  });
}

type ConflictRow = Record<string, string | number | null>;

function toLogged(row: ConflictRow): LoggedConflict {
  const text = (key: string) => (row[key] === null || row[key] === undefined ? null : String(row[key]));
  const keep = text('resolution');
  const at = text('resolved_at');
  return {
    id: Number(row['id']),
    entity: String(row['entity']) as EntityName,
    entityId: String(row['entity_id']),
    field: String(row['field']),
    losingValue: JSON.parse(text('losing_value') ?? 'null') as unknown,
    losingHlc: text('losing_hlc'),
    winningValue: JSON.parse(text('winning_value') ?? 'null') as unknown,
    winningHlc: text('winning_hlc'),
    source: row['source'] === 'remote' ? 'remote' : 'local',
    createdAt: String(row['created_at']),
    resolution: at !== null && (keep === 'winner' || keep === 'loser') ? { keep, at, by: text('resolved_by') } : null,
  };
}

/** Every logged conflict, oldest first; `open` keeps only those nobody has resolved yet. */
export function listConflicts(db: Db, options: { open?: boolean } = {}): LoggedConflict[] {
  const where = options.open ? 'WHERE resolved_at IS NULL' : '';
  return db.prepare<[], ConflictRow>(`SELECT * FROM conflicts ${where} ORDER BY id`).all().map(toLogged);
}

export function readConflict(db: Db, id: number): LoggedConflict | undefined {
  const row = db.prepare<[number], ConflictRow>('SELECT * FROM conflicts WHERE id = ?').get(id);
  return row ? toLogged(row) : undefined;
}

/** Marks an open conflict resolved; false when it already was (so a double click changes nothing twice). */
export function markConflictResolved(db: Db, id: number, keep: ConflictChoice, by: string | null, now: Date = new Date()): boolean {
  const changed = db
    .prepare('UPDATE conflicts SET resolved_at = ?, resolution = ?, resolved_by = ? WHERE id = ? AND resolved_at IS NULL')
    .run(now.toISOString(), keep, by, id).changes;
  return changed === 1;
}
