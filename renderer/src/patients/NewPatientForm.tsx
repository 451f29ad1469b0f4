import { useEffect, useRef, useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import type { DuplicateCandidate, PatientRow } from '../api/types.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { localToday } from '../ui/format.ts';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useFormFields } from '../ui/use-form-fields.ts';
import { serverFieldErrors } from '../ui/zod-errors.ts';
import type { PatientFields } from '../../../shared/entities/patient.ts';
import { DuplicateWarning } from './DuplicateWarning.tsx';
import { EMPTY_PATIENT, PATIENT_LABELS, SEX_OPTIONS, validatePatient } from './patient-form.ts';
import { useCreatePatient, useDuplicateCheck } from './use-patients.ts';

type Shown = Pick<PatientRow, 'id' | 'givenName' | 'familyName'>;
type Props = { onCreated: (patient: Shown) => void; onUseExisting: (patient: Shown) => void; onCancel: () => void };

/**
 * Registration. Save first asks the local store for likely duplicates in this org; when
 * there are some, the desk chooses "Use this patient" or "Save as new anyway" (never a
 * silent second record). The typed values stay until saved, whatever fails.
 */
export function NewPatientForm({ onCreated, onUseExisting, onCancel }: Props) {
  const create = useCreatePatient();
  const check = useDuplicateCheck();
  const [candidates, setCandidates] = useState<readonly DuplicateCandidate[] | null>(null);
  // Any edit drops the duplicate warning: it was about the old details.
  const { values, setValues, setErrors, field, passes } = useFormFields(EMPTY_PATIENT, PATIENT_LABELS, () => setCandidates(null));
  const firstField = useRef<HTMLInputElement>(null);
  useEffect(() => firstField.current?.focus(), []);

  function save(fields: PatientFields) {
    create.mutate(fields, {
      onSuccess: (created) => {
        setValues(EMPTY_PATIENT);
        setCandidates(null);
        onCreated({ id: created.id, givenName: fields.givenName, familyName: fields.familyName });
      },
      onError: (error) => {
        setCandidates(null);
        setErrors(serverFieldErrors(readAppError(error).fieldErrors, PATIENT_LABELS));
      },
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validatePatient(values);
    if (!passes(result)) return;
    const { givenName, familyName, birthDate, phone, mrn } = result.fields;
    check.mutate(
      { givenName, familyName, birthDate, phone, mrn },
      { onSuccess: (found) => (found.length > 0 ? setCandidates(found) : save(result.fields)) },
    );
  }

  function saveAnyway() {
    const result = validatePatient(values);
    if (result.ok) save(result.fields);
  }

  const failure = create.isError ? readAppError(create.error) : check.isError ? readAppError(check.error) : null;

  return (
    <>
      {failure && (
        <Alert tone="error" title={failure.code === 'VALIDATION' ? 'These details were not accepted' : 'Could not save the patient'}>
          {failure.message}
        </Alert>
      )}
      <form onSubmit={onSubmit} noValidate aria-labelledby="new-patient-heading" className="form-grid">
        <TextField {...field('givenName')} inputRef={firstField} autoComplete="off" />
        <TextField {...field('familyName')} autoComplete="off" />
        <TextField {...field('birthDate')} type="date" max={localToday()} />
        <SelectField {...field('sex')} options={SEX_OPTIONS} placeholder="Choose…" />
        <TextField {...field('phone')} type="tel" autoComplete="off" hint="Optional" />
        <TextField {...field('mrn')} autoComplete="off" hint="Optional; letters, digits and -" />
        {candidates ? (
          <DuplicateWarning
            candidates={candidates}
            pending={create.isPending}
            onUse={(candidate) => onUseExisting(candidate.patient)}
            onSaveAnyway={saveAnyway}
            onEdit={() => {
              setCandidates(null);
              firstField.current?.focus();
            }}
          />
        ) : (
          <FormActions saveLabel="Save patient" pending={create.isPending || check.isPending} onCancel={onCancel} />
        )}
      </form>
    </>
  );
}
