import { useState } from 'react';
import type { PatientRow } from '../api/types.ts';
import { usePatients } from '../patients/use-patients.ts';
import { SelectField, type Option } from '../ui/SelectField.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useDebouncedValue } from '../ui/use-debounced-value.ts';

const MATCHES = 50;

export function patientOptionLabel(patient: Pick<PatientRow, 'givenName' | 'familyName' | 'mrn'>): string {
  return `${patient.familyName}, ${patient.givenName}${patient.mrn ? ` (${patient.mrn})` : ''}`;
}

type Props = {
  value: string;
  onChange: (patientId: string) => void;
  error: string | undefined;
};

/**
 * Picks a patient from the local store: type to narrow (same search as the patients
 * screen), then choose. The chosen patient stays selectable when the search changes.
 */
export function PatientPicker({ value, onChange, error }: Props) {
  const [filter, setFilter] = useState('');
  const [chosen, setChosen] = useState<Option | null>(null);
  const debounced = useDebouncedValue(filter, 200);
  const patients = usePatients(debounced, MATCHES);
  const options: Option[] = (patients.data ?? []).map((patient) => ({ value: patient.id, label: patientOptionLabel(patient) }));
  if (chosen && chosen.value === value && !options.some((option) => option.value === value)) options.unshift(chosen);

  const placeholder = patients.isPending ? 'Loading patients…' : options.length ? 'Choose a patient…' : 'No matching patients';
  return (
    <div className="patient-picker span-2">
      <TextField label="Find patient" type="search" name="patientSearch" value={filter} onChange={(event) => setFilter(event.currentTarget.value)} placeholder="Name, MRN, phone or birth date" autoComplete="off" autoFocus />
      <SelectField
        label="Patient"
        name="patientId"
        value={value}
        options={options}
        placeholder={placeholder}
        error={error}
        onChange={(event) => {
          const id = event.currentTarget.value;
          setChosen(options.find((option) => option.value === id) ?? null);
          onChange(id);
        }}
      />
    </div>
  );
}
