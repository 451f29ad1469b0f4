import type { EntityName } from '../../shared/entities/catalog.ts';
import type { Db } from './db.ts';
import { prepared } from './prepared.ts';
import { deleteEntity, readEntity, writeEntity } from './rows.ts';

interface RefusedChange {
  entity: EntityName;
  id: string;
  fields: Record<string, unknown>;
  baseVersion: number | null;
}

/**
 * Undoes, on this device, a change the server refused. The store applied it at once
 * (local-first), stamped with a newer clock than the server's values, so without this
 * the refused values would win every later merge and this replica would never match the
 * others again. Runs in the settling transaction, after the refusal is recorded (the
 * refused change stays in the outbox, with its reason, for the person to see):
 * - a record the server never had (a refused create) is removed;
 * - otherwise each refused field gives up its clock, so the server's state, which the
 *   server sends again (sync-server/sync/push.ts resendRefused), wins the next merge.
 * Fields that a later, still unsent change sets keep theirs: that change is still to come.
 */
export function rollBackRefused(db: Db, change: RefusedChange): void {
  const local = readEntity(db, change.entity, change.id);
  if (!local) return;
  const pending = prepared<[string, string], { fields: string; base_version: number | null }>(
    db,
    `SELECT fields, base_version FROM outbox WHERE entity = ? AND entity_id = ? AND status = 'pending'`,
  ).all(change.entity, change.id);
  if (pending.length === 0 && local.version === null && change.baseVersion === null) {
    deleteEntity(db, change.entity, change.id);
    return;
  }
  const stillComing = new Set(pending.flatMap((row) => Object.keys(JSON.parse(row.fields) as Record<string, unknown>)));
  const fieldHlc = { ...local.fieldHlc };
  for (const field of Object.keys(change.fields)) {
    if (!stillComing.has(field)) fieldHlc[field] = '';
  }
  writeEntity(db, change.entity, { ...local, fieldHlc });
}
