import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Db } from './db.ts';

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

/** Keeps a value that lost a merge (inside the encrypted store only). */
export function recordConflict(db: Db, conflict: ConflictRecord, now: Date = new Date()): void {
  db.prepare(
    `INSERT INTO conflicts (entity, entity_id, field, losing_value, losing_hlc, winning_value, winning_hlc, source, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    conflict.entity,
    conflict.entityId,
    conflict.field,
    JSON.stringify(conflict.losingValue ?? null),
    conflict.losingHlc,
    JSON.stringify(conflict.winningValue ?? null),
    conflict.winningHlc,
    conflict.source,
    now.toISOString(),
  );
}

export function listConflicts(db: Db): ConflictRecord[] {
  return db
    .prepare<[], Record<string, string | null>>('SELECT * FROM conflicts ORDER BY id')
    .all()
    .map((row) => ({
      entity: row['entity'] as EntityName,
      entityId: String(row['entity_id']),
      field: String(row['field']),
      losingValue: JSON.parse(row['losing_value'] ?? 'null') as unknown,
      losingHlc: row['losing_hlc'] ?? null,
      winningValue: JSON.parse(row['winning_value'] ?? 'null') as unknown,
      winningHlc: row['winning_hlc'] ?? null,
      source: row['source'] === 'remote' ? 'remote' : 'local',
    }));
}
