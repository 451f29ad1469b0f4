import { orderChangeRefusal, orderFieldsSchema, orderNotFound, orderPlacementRefusal } from '../../../shared/entities/order.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { isEditOfUnknown, throwIf } from './apply-helpers.ts';
import { lockRecord } from './clinical-columns.ts';
import { changedFields, insertRecord, pick, recordTransition, updateRecord, type ClinicalWrite } from './clinical-writes.ts';
import { encounterNotFound } from './encounters.ts';

/**
 * A pushed order, under the same rules as at the desk: placed on an open encounter as a
 * draft or active, in the name of the person who pushed it; afterwards only its status
 * changes, along the state machine, each move kept in order_transitions. Throws the
 * rule's AppError to refuse.
 */
export async function applyOrder(w: ClinicalWrite, mutation: Mutation): Promise<void> {
  const current = await lockRecord(w.sql, w.tenantId, 'order', mutation.id);
  if (!current) {
    const full = orderFieldsSchema.safeParse(mutation.fields);
    if (!full.success) throw isEditOfUnknown(mutation, orderFieldsSchema) ? orderNotFound() : new AppError('VALIDATION', 'A new order needs every field.');
    if (full.data.orderedBy !== w.userId) throw new AppError('FORBIDDEN', 'An order can only be placed in the name of the person placing it.');
    const encounter = await lockRecord(w.sql, w.tenantId, 'encounter', full.data.encounterId);
    if (!encounter) throw encounterNotFound();
    throwIf(orderPlacementRefusal(encounter.fields.status, full.data.status));
    await insertRecord(w, 'order', mutation.id, full.data);
    await recordTransition(w, mutation.id, null, full.data.status, null);
    return;
  }
  const incoming = orderFieldsSchema.partial().parse(mutation.fields);
  const changed = changedFields(current.fields, incoming);
  if (changed.length === 0) return;
  const next = { ...current.fields, ...pick(incoming, changed) };
  throwIf(orderChangeRefusal(current.fields, changed, next.status));
  await updateRecord(w, 'order', mutation.id, { status: next.status });
  await recordTransition(w, mutation.id, current.fields.status, next.status, null);
}
