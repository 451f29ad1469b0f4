import { useEffect, useRef, useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import type { DuplicateCandidate, PatientRow } from '../api/types.ts';
import { Alert } from '../ui/Alert.tsx';
import { FormActions } from '../ui/FormActions.tsx';
import { localToday } from '../ui/format.ts';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import type { PatientFields } from '../../../shared/entities/patient.ts';
import { DuplicateWarning } from './DuplicateWarning.tsx';
import { EMPTY_PATIENT, PATIENT_LABELS, SEX_OPTIONS, validatePatient, type PatientFormErrors, type PatientFormValues } from './patient-form.ts';
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
  const [values, setValues] = useState<PatientFormValues>(EMPTY_PATIENT);
  const [errors, setErrors] = useState<PatientFormErrors>({});
  const [candidates, setCandidates] = useState<readonly DuplicateCandidate[] | null>(null);
  const firstField = useRef<HTMLInputElement>(null);
  useEffect(() => firstField.current?.focus(), []);

  const set = (key: keyof PatientFormValues) => (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [key]: value }));
    setCandidates(null); // the warning was about the old details
  };

  function save(fields: PatientFields) {
    create.mutate(fields, {
      onSuccess: (created) => {
        setValues(EMPTY_PATIENT);
        setCandidates(null);
        onCreated({ id: created.id, givenName: fields.givenName, familyName: fields.familyName });
      },
      onError: (error) => {
        setCandidates(null);
        const view = readAppError(error);
        const server: PatientFormErrors = {};
        for (const [field, message] of Object.entries(view.fieldErrors)) {
          if (field in PATIENT_LABELS) server[field as keyof PatientFormValues] = `${PATIENT_LABELS[field as keyof PatientFormValues]} ${message}`;
        }
        setErrors(server);
      },
    });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validatePatient(values);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
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
  const field = (key: keyof PatientFormValues) => ({ label: PATIENT_LABELS[key], name: key, value: values[key], onChange: set(key), error: errors[key] });

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
