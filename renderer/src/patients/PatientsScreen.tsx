import { useState } from 'react';
import { readAppError } from '../api/errors.ts';
import { Alert } from '../ui/Alert.tsx';
import { TextField } from '../ui/TextField.tsx';
import { useDebouncedValue } from '../ui/use-debounced-value.ts';
import { NewPatientForm } from './NewPatientForm.tsx';
import { PatientTable } from './PatientTable.tsx';
import { usePatients } from './use-patients.ts';
import { ScreenHead } from '../ui/ScreenHead.tsx';

const PAGE = 50;

export function PatientsScreen() {
  const [search, setSearch] = useState('');
  const [formOpen, setFormOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const debounced = useDebouncedValue(search, 200);
  const patients = usePatients(debounced, PAGE);
  const failure = patients.isError ? readAppError(patients.error) : null;
  const rows = patients.data ?? [];

  return (
    <section aria-labelledby="patients-heading">
      <ScreenHead
        headingId="patients-heading"
        title="Patients"
        actionLabel="New patient"
        expanded={formOpen}
        onToggle={() => {
          setFormOpen((open) => !open);
          setCreated(null);
        }}
      />
      {formOpen && (
        <NewPatientForm
          onCreated={(name) => {
            setCreated(name);
            setFormOpen(false);
            // The list is alphabetical and capped, so filter to the new patient to show it.
            setSearch(name);
          }}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {created && <Alert tone="success">{`Saved ${created}. It shows as “Pending sync” until it reaches the server; clear the search to see everyone.`}</Alert>}
      <div className="toolbar">
        <TextField label="Search patients" type="search" name="search" value={search} onChange={(event) => setSearch(event.currentTarget.value)} placeholder="Name, MRN, phone or birth date" autoComplete="off" className="search" />
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
        {!patients.isSuccess || rows.length === 0
          ? ''
          : rows.length >= PAGE
            ? `Showing the first ${PAGE} patients. Search to find others.`
            : `${rows.length} ${rows.length === 1 ? 'patient' : 'patients'} shown`}
      </p>
    </section>
  );
}
