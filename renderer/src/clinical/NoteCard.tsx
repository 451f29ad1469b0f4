import type { ReactNode } from 'react';
import type { NoteRow } from '../api/types.ts';
import { formatDateTime } from '../ui/format.ts';
import { NOTE_KIND_LABELS, noteAuthorLabel, noteStatusLabel } from './clinical-text.ts';

/**
 * One clinical note as an article named by its kind and status. The body keeps its line
 * breaks. Actions (edit, sign, amend) come from the encounter screen; the chart shows none.
 */
export function NoteCard({ note, amended, userId, authorNames, children }: { note: NoteRow; amended: boolean; userId: string; authorNames: ReadonlyMap<string, string>; children?: ReactNode }) {
  const headingId = `note-${note.id}`;
  const status = noteStatusLabel(note, amended);
  return (
    <article className={`note note-${note.status}`} aria-labelledby={headingId}>
      {/* Focusable from script only: signing moves focus here once the Sign controls are gone. */}
      <h3 id={headingId} tabIndex={-1}>
        {NOTE_KIND_LABELS[note.kind]} <span className={`status-tag status-${note.status}`}>{status}</span>
      </h3>
      <p className="note-meta muted small">
        {noteAuthorLabel(note.authorId, userId, authorNames)}
        {note.signedAt ? ` · signed ${formatDateTime(note.signedAt)}` : ' · not signed yet'}
        {note.amendsId ? ' · amends an earlier signed note' : ''}
      </p>
      <p className="note-body">{note.body}</p>
      {children}
    </article>
  );
}
