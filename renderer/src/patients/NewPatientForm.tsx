import { useEffect, useRef, useState, type FormEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { localToday } from '../ui/format.ts';
import { SelectField } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { EMPTY_PATIENT, PATIENT_LABELS, SEX_OPTIONS, validatePatient, type PatientFormErrors, type PatientFormValues } from './patient-form.ts';
import { useCreatePatient } from './use-patients.ts';
import { FormActions } from '../ui/FormActions.tsx';

type Props = { onCreated: (name: string) => void; onCancel: () => void };

export function NewPatientForm({ onCreated, onCancel }: Props) {
  const create = useCreatePatient();
  const [values, setValues] = useState<PatientFormValues>(EMPTY_PATIENT);
  const [errors, setErrors] = useState<PatientFormErrors>({});
  const firstField = useRef<HTMLInputElement>(null);
  useEffect(() => firstField.current?.focus(), []);

  const set = (key: keyof PatientFormValues) => (event: { currentTarget: HTMLInputElement | HTMLSelectElement }) => {
    const value = event.currentTarget.value;
    setValues((current) => ({ ...current, [key]: value }));
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const result = validatePatient(values);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    create.mutate(result.fields, {
      onSuccess: () => {
        onCreated(`${result.fields.givenName} ${result.fields.familyName}`);
        setValues(EMPTY_PATIENT);
      },
      onError: (error) => {
        const view = readAppError(error);
        const server: PatientFormErrors = {};
        for (const [field, message] of Object.entries(view.fieldErrors)) {
          if (field in PATIENT_LABELS) server[field as keyof PatientFormValues] = `${PATIENT_LABELS[field as keyof PatientFormValues]} ${message}`;
        }
        setErrors(server);
      },
    });
  }

  const failure = create.isError ? readAppError(create.error) : null;
  const field = (key: keyof PatientFormValues) => ({ label: PATIENT_LABELS[key], name: key, value: values[key], onChange: set(key), error: errors[key] });

  return (
    <section className="card" aria-labelledby="new-patient-heading">
      <h2 id="new-patient-heading">New patient</h2>
      {failure && (
        <Alert tone="error" title={failure.code === 'VALIDATION' ? 'The server did not accept these details' : 'Could not save the patient'}>
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
        <FormActions saveLabel="Save patient" pending={create.isPending} onCancel={onCancel} />
      </form>
    </section>
  );
}
