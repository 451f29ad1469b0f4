import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { NOTE_KINDS, noteBody, type NoteKind } from '../../../shared/api/clinical.ts';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { SelectField } from '../ui/SelectField.tsx';
import { NOTE_KIND_OPTIONS } from './clinical-text.ts';

type Props = {
  /** The form's heading, e.g. "New note", "Edit draft", "Amend this note". */
  title: string;
  saveLabel: string;
  initial: { kind: NoteKind; body: string };
  /** Amendments keep the kind of the note they amend. */
  withKind: boolean;
  pending: boolean;
  error: unknown;
  onSave: (values: { kind: NoteKind; body: string }) => void;
  onCancel: () => void;
};

/**
 * Writes a note's kind and body; the body rules are the shared ones (required, bounded, no
 * control characters), checked here first so a mistake is named before anything is saved.
 * Escape cancels; nothing typed is lost on a refused save (the text stays in the box).
 */
export function NoteEditor({ title, saveLabel, initial, withKind, pending, error, onSave, onCancel }: Props) {
  const id = useId();
  const [kind, setKind] = useState<NoteKind>(initial.kind);
  const [body, setBody] = useState(initial.body);
  const [bodyError, setBodyError] = useState<string | undefined>();
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const checked = noteBody.safeParse(body);
    if (!checked.success) {
      setBodyError(`Note text ${checked.error.issues[0]?.message ?? 'is not valid'}`);
      first.current?.focus();
      return;
    }
    setBodyError(undefined);
    onSave({ kind, body });
  }

  const failure = error ? readAppError(error) : null;
  const serverBodyError = failure?.fieldErrors['body'];
  const shownBodyError = bodyError ?? (serverBodyError ? `Note text ${serverBodyError}` : undefined);
  return (
    <form className="card note-editor" aria-labelledby={`${id}-title`} noValidate onSubmit={submit} onKeyDown={(event) => event.key === 'Escape' && onCancel()}>
      <h3 id={`${id}-title`}>{title}</h3>
      {failure && !serverBodyError && <Alert tone="error" title="Could not save the note">{failure.message}</Alert>}
      {withKind && (
        <SelectField label="Note kind" value={kind} options={NOTE_KIND_OPTIONS} onChange={(event) => setKind(pickKind(event.currentTarget.value))} />
      )}
      <div className="field">
        <label htmlFor={`${id}-body`}>Note text</label>
        <textarea
          id={`${id}-body`}
          ref={first}
          rows={6}
          value={body}
          onChange={(event) => setBody(event.currentTarget.value)}
          aria-invalid={shownBodyError ? true : undefined}
          aria-describedby={shownBodyError ? `${id}-body-error` : undefined}
        />
        {shownBodyError && (
          <p id={`${id}-body-error`} className="field-error">
            {shownBodyError}
          </p>
        )}
      </div>
      <FormActions saveLabel={saveLabel} pending={pending} onCancel={onCancel} />
    </form>
  );
}

const pickKind = (value: string): NoteKind => NOTE_KINDS.find((kind) => kind === value) ?? 'progress';
