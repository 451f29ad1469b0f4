import { z } from 'zod';
import { NOTE_KINDS, noteBody } from '../api/clinical.ts';
import { AppError } from '../errors.ts';
import { idSchema } from '../ids.ts';

/**
 * A clinical note as it syncs. A draft belongs to its author, who alone edits and signs
 * it; a signed note never changes and is corrected only by an amendment, a new note that
 * names it (amendsId). The rules below are the only copy: the server's desk procedures,
 * its sync appliers and the workstation's store all ask them.
 */
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date and time' });

export const NOTE_STATUSES = ['draft', 'signed'] as const;

export const noteFieldsSchema = z.object({
  encounterId: idSchema,
  amendsId: idSchema.nullable(),
  kind: z.enum(NOTE_KINDS),
  body: noteBody,
  status: z.enum(NOTE_STATUSES),
  authorId: idSchema,
  signedAt: instant.nullable(),
});

export type NoteFields = z.infer<typeof noteFieldsSchema>;

/** Set when the note is written; never change afterwards. */
export const NOTE_FIXED_FIELDS = ['encounterId', 'amendsId', 'authorId'] as const satisfies readonly (keyof NoteFields)[];

export const noteNotFound = () => new AppError('NOT_FOUND', 'No such clinical note in this organization.');
export const signedNoteIsFinal = () => new AppError('CONFLICT', 'This note is signed and can no longer change. Write an amendment instead.');

/** May `userId` change (or sign) this note? A signed note is final for everyone; a draft is its author's alone. */
export function noteChangeRefusal(note: Pick<NoteFields, 'status' | 'authorId'>, userId: string, what: 'change' | 'sign'): AppError | null {
  if (note.status === 'signed') return signedNoteIsFinal();
  if (note.authorId !== userId) return new AppError('FORBIDDEN', `Only the author of a draft note can ${what} it.`);
  return null;
}

/** May this note be amended? Only a signed one (a draft is simply edited). */
export function amendmentTargetRefusal(target: Pick<NoteFields, 'status'> | undefined): AppError | null {
  if (!target) return noteNotFound();
  if (target.status !== 'signed') return new AppError('CONFLICT', 'Only a signed note can be amended. Edit the draft instead.');
  return null;
}

/** A whole note's own consistency: a signed note carries its signing time, a draft none. */
export function noteShapeRefusal(note: Pick<NoteFields, 'status' | 'signedAt'>): AppError | null {
  if ((note.status === 'signed') !== (note.signedAt !== null)) return new AppError('VALIDATION', 'A signed note carries its signing time, and a draft none.');
  return null;
}

export function fixedNoteFieldRefusal(changed: readonly string[]): AppError | null {
  if (!changed.some((field) => (NOTE_FIXED_FIELDS as readonly string[]).includes(field))) return null;
  return new AppError('CONFLICT', "A note's encounter, author and the note it amends cannot change.");
}
