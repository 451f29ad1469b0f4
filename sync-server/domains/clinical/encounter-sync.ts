import { encounterChangeRefusal, encounterFieldsSchema, encounterTimesRefusal } from '../../../shared/entities/encounter.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { isEditOfUnknown, throwIf } from './apply-helpers.ts';
import { lockRecord } from './clinical-columns.ts';
import { changedFields, insertRecord, pick, updateRecord, type ClinicalWrite } from './clinical-writes.ts';
import { encounterNotFound } from './encounters.ts';
import { encounterReferenceRefusal, type EncounterReferenceFacts } from './references.ts';

/**
 * A pushed encounter: created whole (its patient linked to the org, its practitioner and
 * appointment the org's), then changed under the same rules as at the desk: its patient
 * never changes, and once closed nothing does. Throws the rule's AppError to refuse.
 */
export async function applyEncounter(w: ClinicalWrite, mutation: Mutation, facts: EncounterReferenceFacts): Promise<void> {
  const current = await lockRecord(w.sql, w.tenantId, 'encounter', mutation.id);
  if (!current) {
    const full = encounterFieldsSchema.safeParse(mutation.fields);
    // Fields of an edit for an id the org does not have: the same answer as any unknown id.
    if (!full.success) throw isEditOfUnknown(mutation, encounterFieldsSchema) ? encounterNotFound() : new AppError('VALIDATION', 'A new encounter needs every field.');
    throwIf(encounterReferenceRefusal(facts, full.data) ?? encounterTimesRefusal(full.data));
    await insertRecord(w, 'encounter', mutation.id, full.data, { opened_by: w.userId, closed_by: full.data.status === 'closed' ? w.userId : null });
    return;
  }
  const incoming = encounterFieldsSchema.partial().parse(mutation.fields);
  const changed = changedFields(current.fields, incoming);
  if (changed.length === 0) return;
  const next = { ...current.fields, ...pick(incoming, changed) };
  throwIf(encounterChangeRefusal(current.fields, changed) ?? encounterReferenceRefusal(facts, next, changed) ?? encounterTimesRefusal(next));
  await updateRecord(w, 'encounter', mutation.id, pick(incoming, changed), changed.includes('status') && next.status === 'closed' ? { closed_by: w.userId } : {});
}
