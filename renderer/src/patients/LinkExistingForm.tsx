import { useEffect, useRef, useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import type { PatientRow } from '../api/types.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { localToday } from '../ui/format.ts';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useFormFields } from '../ui/use-form-fields.ts';
import { EMPTY_LINK, LINK_LABELS, SYSTEM_OPTIONS, validateLink, type LinkBy } from './link-form.ts';
import { useLinkPatient } from './use-patients.ts';

type Shown = Pick<PatientRow, 'id' | 'givenName' | 'familyName'>;
type Props = { onLinked: (patient: Shown | null, message: string) => void; onCancel: () => void };

/**
 * Links a patient another organization registered, on strong evidence only: the one-time
 * link code the patient brings, or an identifier with the full name. The server does the
 * match; a refusal says nothing about who exists. Needs the server; the typed values stay
 * when it cannot be reached.
 */
export function LinkExistingForm({ onLinked, onCancel }: Props) {
  const link = useLinkPatient();
  const [by, setBy] = useState<LinkBy>('code');
  const { values, setValues, field, passes } = useFormFields(EMPTY_LINK, LINK_LABELS);
  const firstChoice = useRef<HTMLInputElement>(null);
  useEffect(() => firstChoice.current?.focus(), []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validateLink(by, values);
    if (!passes(result)) return;
    link.mutate(result.evidence, {
      onSuccess: (linked) => {
        setValues(EMPTY_LINK);
        const p = linked.patient;
        onLinked(p, p ? `Linked ${p.givenName} ${p.familyName}: the patient is now registered in this organization.` : 'Linked. The patient will appear here after the next sync.');
      },
    });
  }

  const failure = link.isError ? readAppError(link.error) : null;
  return (
    <>
      {failure && (
        <Alert tone="error" title={failure.code === 'OFFLINE' ? 'The server cannot be reached' : 'Not linked'}>
          {failure.message}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate aria-labelledby="new-patient-heading" className="form-grid">
        <fieldset className="org-choices link-choice">
          <legend>Link by</legend>
          <label className="choice">
            <input ref={firstChoice} type="radio" name="link-by" value="code" checked={by === 'code'} onChange={() => setBy('code')} />
            The link code the patient brings from another organization
          </label>
          <label className="choice">
            <input type="radio" name="link-by" value="identifier" checked={by === 'identifier'} onChange={() => setBy('identifier')} />
            An identifier with the patient’s full name
          </label>
        </fieldset>
        {by === 'code' ? (
          <TextField {...field('code')} autoComplete="off" hint="16 letters and digits, as printed (groups of four)" />
        ) : (
          <>
            <SelectField {...field('system')} options={SYSTEM_OPTIONS} placeholder="Choose…" />
            <TextField {...field('value')} autoComplete="off" />
            <TextField {...field('givenName')} autoComplete="off" />
            <TextField {...field('familyName')} autoComplete="off" />
          </>
        )}
        <TextField {...field('birthDate')} type="date" max={localToday()} />
        <TextField {...field('mrn')} autoComplete="off" hint="Optional; letters, digits and -" />
        <FormActions saveLabel="Link patient" pending={link.isPending} onCancel={onCancel} />
      </form>
    </>
  );
}
