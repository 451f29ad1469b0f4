import { ENTITY_CATALOG, type EntityName } from '../../shared/entities/catalog.ts';
import { AppError } from '../../shared/errors.ts';
import type { Change, PullPage } from '../../shared/sync/pull.ts';
import { partialFieldsSchema } from '../../shared/sync/mutation.ts';
import type { StoreClock } from './clock.ts';
import { recordConflict } from './conflicts.ts';
import { writeCursor } from './cursors.ts';
import type { Db } from './db.ts';
import { ENTITY_TABLES } from './entity-tables.ts';
import { META_TENANT_ID, readMeta } from './meta.ts';
import { hasAnyPending, hasPendingChange } from './outbox.ts';
import { deleteEntity, readEntity, writeEntity } from './rows.ts';

const unreadable = () => new AppError('INTERNAL', 'The sync server sent a record this workstation cannot read; nothing from that page was saved.');

/**
 * Applies one pulled page and advances the domain's cursor in ONE transaction, so a crash
 * anywhere resumes from the last whole page. The page is refused outright (nothing
 * applied) if it belongs to another org than the one stamped in this store.
 */
export function applyPullPage(db: Db, clock: StoreClock, page: PullPage): void {
  if (page.tenantId !== readMeta(db, META_TENANT_ID)) {
    throw new AppError('STORE_MISMATCH', "The sync server sent another organization's records. Nothing was saved; sign in again.");
  }
  for (const change of page.changes) {
    if (ENTITY_CATALOG[change.entity].domain !== page.domain) throw unreadable();
  }
  db.transaction(() => {
    // Over an empty outbox (a first download, a quiet desk) no row can have a pending edit.
    const outboxHasPending = hasAnyPending(db);
    for (const change of page.changes) applyChange(db, change, outboxHasPending);
    writeCursor(db, page.domain, page.cursor);
    clock.receive(page.serverHlc);
  })();
}

/**
 * Field-level last-writer-wins by HLC. A local value with a newer HLC (an unsent edit)
 * survives an older incoming one; any value that loses while it mattered (it was unsent,
 * or it came from the server) is kept in the conflict log instead of vanishing.
 */
function applyChange(db: Db, change: Change, outboxHasPending: boolean): void {
  const entity: EntityName = change.entity;
  const local = readEntity(db, entity, change.id);
  const pending = outboxHasPending && local !== undefined && hasPendingChange(db, entity, change.id);

  if (change.op === 'delete') {
    if (local && pending) {
      recordConflict(db, { entity, entityId: change.id, field: '*', losingValue: local.fields, losingHlc: null, winningValue: null, winningHlc: null, source: 'local' });
    }
    deleteEntity(db, entity, change.id);
    return;
  }

  const schema = ENTITY_CATALOG[entity].fields;
  if (!local) {
    const full = schema.safeParse(change.fields ?? {});
    if (!full.success) throw unreadable();
    writeEntity(db, entity, { id: change.id, fields: full.data, version: change.version, fieldHlc: { ...change.fieldHlc } });
    return;
  }

  const incoming = partialFieldsSchema(entity).safeParse(change.fields ?? {});
  if (!incoming.success) throw unreadable();
  const remote = incoming.data as Record<string, unknown>;
  const merged = { ...(local.fields as Record<string, unknown>) };
  const mergedHlc = { ...local.fieldHlc };
  for (const field of Object.keys(ENTITY_TABLES[entity].columns)) {
    if (!(field in remote)) continue;
    const remoteHlc = change.fieldHlc[field] ?? '';
    const localHlc = local.fieldHlc[field] ?? '';
    const remoteValue = remote[field];
    const localValue = merged[field];
    const differs = remoteValue !== localValue;
    if (remoteHlc >= localHlc) {
      if (differs && pending) {
        recordConflict(db, { entity, entityId: change.id, field, losingValue: localValue, losingHlc: localHlc || null, winningValue: remoteValue, winningHlc: remoteHlc || null, source: 'local' });
      }
      merged[field] = remoteValue;
      if (remoteHlc) mergedHlc[field] = remoteHlc;
    } else if (differs) {
      recordConflict(db, { entity, entityId: change.id, field, losingValue: remoteValue, losingHlc: remoteHlc || null, winningValue: localValue, winningHlc: localHlc, source: 'remote' });
    }
  }
  writeEntity(db, entity, { id: change.id, fields: merged as typeof local.fields, version: change.version, fieldHlc: mergedHlc });
}
