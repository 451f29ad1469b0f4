import { roleCan } from '../../shared/auth/capabilities.ts';
import { ENTITY_WRITE } from '../../shared/auth/entity-write.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { AppError } from '../../shared/errors.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { markConflictResolved, readConflict, WHOLE_RECORD, type ConflictChoice, type LoggedConflict } from './conflicts.ts';
import type { Db } from './db.ts';
import type { EntityRepository } from './repository.ts';

export interface ResolvingStore {
  db: Db;
  /** The repository local edits of `entity` go through, if the workstation may edit it at all. */
  repositoryFor(entity: EntityName): EntityRepository<EntityName> | undefined;
}

export interface Resolver {
  role: Role;
  /** Who decided (the local username), kept with the resolution. */
  by: string | null;
}

/**
 * A person's decision on a logged conflict. 'winner' keeps what the record holds now;
 * 'loser' writes the losing value back as a NEW local edit (fresh HLC, through the entity's
 * repository, so it is validated, queued in the outbox and pushed like any edit, and wins
 * on every device because its HLC is newer than anything seen). Either way the conflict is
 * marked resolved, in the same transaction as the edit. Only a role that may write the
 * entity may decide.
 */
export function resolveConflict(store: ResolvingStore, input: { id: number; keep: ConflictChoice }, resolver: Resolver): LoggedConflict {
  const conflict = readConflict(store.db, input.id);
  if (!conflict) throw new AppError('NOT_FOUND', 'That conflict is not in the log on this workstation.');
  if (!roleCan(resolver.role, ENTITY_WRITE[conflict.entity])) {
    throw new AppError('FORBIDDEN', 'Your role does not allow changing this record, so it cannot resolve its conflicts.');
  }
  if (conflict.resolution) {
    if (conflict.resolution.keep === input.keep) return conflict; // a repeated click: nothing more to do
    throw new AppError('CONFLICT', 'This conflict was already resolved the other way.');
  }
  store.db.transaction(() => {
    if (input.keep === 'loser') writeLoserBack(store, conflict);
    markConflictResolved(store.db, conflict.id, input.keep, resolver.by);
  })();
  return readConflict(store.db, conflict.id)!;
}

function writeLoserBack(store: ResolvingStore, conflict: LoggedConflict): void {
  if (conflict.field === WHOLE_RECORD) {
    // The server removed the record; re-creating it under the same id would be refused.
    throw new AppError('VALIDATION', 'The record was removed, so the lost version cannot be written back. Create the record again instead.');
  }
  const repository = store.repositoryFor(conflict.entity);
  if (!repository) throw new AppError('FORBIDDEN', 'This kind of record is changed online only, not on a workstation.');
  repository.update(conflict.entityId, { [conflict.field]: conflict.losingValue });
}
