import { CLOCK_SKEW_MS } from '../../../shared/entities/encounter.ts';
import {
  amendmentTargetRefusal,
  fixedNoteFieldRefusal,
  noteChangeRefusal,
  noteFieldsSchema,
  noteNotFound,
  noteShapeRefusal,
  type NoteFields,
} from '../../../shared/entities/note.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';
import { isEditOfUnknown, throwIf } from './apply-helpers.ts';
import { lockRecord } from './clinical-columns.ts';
import { changedFields, insertRecord, pick, updateRecord, type ClinicalWrite } from './clinical-writes.ts';
import { encounterNotFound } from './encounters.ts';

/**
 * A pushed note, under the same rules as at the desk: a draft is written, edited and
 * signed by its author only (the person who pushed it), a signed note is final, and an
 * amendment is a new note naming a signed one of the same encounter. Throws the rule's
 * AppError to refuse.
 */
export async function applyNote(w: ClinicalWrite, mutation: Mutation): Promise<void> {
  const current = await lockRecord(w.sql, w.tenantId, 'note', mutation.id);
  if (!current) {
    const full = noteFieldsSchema.safeParse(mutation.fields);
    if (!full.success) throw isEditOfUnknown(mutation, noteFieldsSchema) ? noteNotFound() : new AppError('VALIDATION', 'A new note needs every field.');
    await checkNewNote(w, full.data);
    await insertRecord(w, 'note', mutation.id, full.data);
    return;
  }
  const incoming = noteFieldsSchema.partial().parse(mutation.fields);
  const changed = changedFields(current.fields, incoming);
  if (changed.length === 0) return;
  const next = { ...current.fields, ...pick(incoming, changed) };
  throwIf(
    noteChangeRefusal(current.fields, w.userId, changed.includes('status') ? 'sign' : 'change') ??
      fixedNoteFieldRefusal(changed) ??
      noteShapeRefusal(next) ??
      signingTimeRefusal(next),
  );
  await updateRecord(w, 'note', mutation.id, pick(incoming, changed));
}

async function checkNewNote(w: ClinicalWrite, note: NoteFields): Promise<void> {
  if (note.authorId !== w.userId) throw new AppError('FORBIDDEN', "A note can only be written in its author's own name.");
  throwIf(noteShapeRefusal(note) ?? signingTimeRefusal(note));
  if (!(await lockRecord(w.sql, w.tenantId, 'encounter', note.encounterId))) throw encounterNotFound();
  if (note.amendsId === null) return;
  const target = (await lockRecord(w.sql, w.tenantId, 'note', note.amendsId))?.fields;
  throwIf(amendmentTargetRefusal(target));
  if (target?.encounterId !== note.encounterId) throw new AppError('VALIDATION', 'An amendment belongs to the encounter of the note it amends.');
}

/** A note signed offline keeps the time its author signed it, which cannot lie ahead of the server's clock. */
function signingTimeRefusal(note: Pick<NoteFields, 'signedAt'>): AppError | null {
  if (note.signedAt !== null && Date.parse(note.signedAt) > Date.now() + CLOCK_SKEW_MS) return new AppError('VALIDATION', 'A note cannot be signed in the future.');
  return null;
}
