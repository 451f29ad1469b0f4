import { useState } from 'react';
import type { NoteRow } from '../api/types.ts';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { NoteCard } from './NoteCard.tsx';
import { NoteEditor } from './NoteEditor.tsx';
import { SignNoteControl } from './SignNoteControl.tsx';
import { useAmendNote, useAuthorNames, useCreateDraft, useEditDraft, useSignNote } from './use-clinical.ts';

type Editing = { mode: 'new' } | { mode: 'edit'; noteId: string } | { mode: 'amend'; noteId: string } | null;

/**
 * The encounter's notes and what the signed-in clinician may do with each: their own draft
 * is edited or signed, a signed note is read-only and amended by a new note (the store's
 * rules refuse anything else; these controls only offer what the rules allow).
 */
export function EncounterNotes({ encounterId, notes, userId, canWrite, canSign }: { encounterId: string; notes: readonly NoteRow[]; userId: string; canWrite: boolean; canSign: boolean }) {
  const [editing, setEditing] = useState<Editing>(null);
  const create = useCreateDraft();
  const edit = useEditDraft();
  const sign = useSignNote();
  const amend = useAmendNote();
  const authorNames = useAuthorNames(notes);
  const amendedIds = new Set(notes.flatMap((note) => (note.amendsId ? [note.amendsId] : [])));
  const signFailure = sign.isError ? readAppError(sign.error) : null;
  const close = () => {
    setEditing(null);
    create.reset();
    edit.reset();
    amend.reset();
  };

  return (
    <section aria-labelledby="encounter-notes" className="clinical-part">
      <div className="part-head">
        <h2 id="encounter-notes">Clinical notes</h2>
        {canWrite && (
          <button type="button" aria-expanded={editing?.mode === 'new'} onClick={() => (editing?.mode === 'new' ? close() : setEditing({ mode: 'new' }))}>
            New note
          </button>
        )}
      </div>
      {signFailure && <Alert tone="error" title="Could not sign the note">{signFailure.message}</Alert>}
      {editing?.mode === 'new' && (
        <NoteEditor
          title="New note"
          saveLabel="Save draft"
          initial={{ kind: 'progress', body: '' }}
          withKind
          pending={create.isPending}
          error={create.error}
          onCancel={close}
          onSave={(values) => create.mutate({ encounterId, ...values }, { onSuccess: close })}
        />
      )}
      {notes.length === 0 ? (
        <p className="empty">No notes on this encounter yet.</p>
      ) : (
        <div className="note-list">
          {notes.map((note) => {
            const ownDraft = note.status === 'draft' && note.authorId === userId;
            const isEditing = editing?.mode === 'edit' && editing.noteId === note.id;
            const isAmending = editing?.mode === 'amend' && editing.noteId === note.id;
            return (
              <NoteCard key={note.id} note={note} amended={amendedIds.has(note.id)} userId={userId} authorNames={authorNames}>
                {isEditing ? (
                  <NoteEditor
                    title="Edit draft"
                    saveLabel="Save changes"
                    initial={{ kind: note.kind, body: note.body }}
                    withKind
                    pending={edit.isPending}
                    error={edit.error}
                    onCancel={close}
                    onSave={(values) => edit.mutate({ id: note.id, ...values }, { onSuccess: close })}
                  />
                ) : isAmending ? (
                  <NoteEditor
                    title="Amend this note"
                    saveLabel="Save amendment"
                    initial={{ kind: note.kind, body: '' }}
                    withKind={false}
                    pending={amend.isPending}
                    error={amend.error}
                    onCancel={close}
                    onSave={(values) => amend.mutate({ noteId: note.id, body: values.body }, { onSuccess: close })}
                  />
                ) : (
                  <div className="note-actions">
                    {ownDraft && canWrite && (
                      <button type="button" onClick={() => setEditing({ mode: 'edit', noteId: note.id })}>
                        Edit draft
                      </button>
                    )}
                    {ownDraft && canSign && <SignNoteControl pending={sign.isPending} onSign={() => sign.mutate(note.id, { onSuccess: () => document.getElementById(`note-${note.id}`)?.focus() })} />}
                    {note.status === 'signed' && canWrite && (
                      <button type="button" onClick={() => setEditing({ mode: 'amend', noteId: note.id })}>
                        Amend
                      </button>
                    )}
                    {note.status === 'draft' && !ownDraft && <p className="muted small">Only its author can edit or sign this draft.</p>}
                  </div>
                )}
              </NoteCard>
            );
          })}
        </div>
      )}
    </section>
  );
}
