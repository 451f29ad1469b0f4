import { useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useDebouncedValue } from '../ui/use-debounced-value.ts';
import { NewPatientForm } from './NewPatientForm.tsx';
import { PatientTable } from './PatientTable.tsx';
import { usePatients } from './use-patients.ts';

export function PatientsScreen() {
  const [search, setSearch] = useState('');
  const [formOpen, setFormOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const debounced = useDebouncedValue(search, 200);
  const patients = usePatients(debounced);
  const failure = patients.isError ? readAppError(patients.error) : null;
  const rows = patients.data ?? [];

  return (
    <section aria-labelledby="patients-heading">
      <div className="screen-head">
        <h1 id="patients-heading">Patients</h1>
        <button
          type="button"
          className="primary"
          aria-expanded={formOpen}
          onClick={() => {
            setFormOpen((open) => !open);
            setCreated(null);
          }}
        >
          New patient
        </button>
      </div>
      {formOpen && (
        <NewPatientForm
          onCreated={(name) => {
            setCreated(name);
            setFormOpen(false);
          }}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {created && <Alert tone="success">{`Saved ${created}. It will show as pending until it has synced.`}</Alert>}
      <div className="toolbar">
        <TextField label="Search patients" type="search" name="search" value={search} onChange={(event) => setSearch(event.currentTarget.value)} placeholder="Name, phone or MRN" autoComplete="off" className="search" />
      </div>
      {failure && <Alert tone="error" title="Could not load patients">{failure.message}</Alert>}
      {patients.isPending ? (
        <p className="muted">Loading patients…</p>
      ) : rows.length === 0 ? (
        <p className="empty">{debounced.trim() ? 'No patients match this search.' : 'No patients yet.'}</p>
      ) : (
        <PatientTable patients={rows} caption={debounced.trim() ? `Patients matching “${debounced.trim()}”` : 'All patients'} />
      )}
      <p className="muted small" aria-live="polite">
        {patients.isSuccess ? `${rows.length} ${rows.length === 1 ? 'patient' : 'patients'} shown` : ''}
      </p>
    </section>
  );
}
