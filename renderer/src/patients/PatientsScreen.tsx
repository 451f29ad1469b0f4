import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState, type KeyboardEvent } from 'react';
import { readAppError } from '../api/errors.ts';
import type { PatientRow } from '../api/types.ts';
import { can, hrefOf } from '../layout/routes.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import { ScreenHead } from '../ui/ScreenHead.tsx';
import { TextField } from '../ui/TextField.tsx';
import { NewPatientCard } from './NewPatientCard.tsx';
import { PatientTable } from './PatientTable.tsx';
import { startPatientSearch, usePatients } from './use-patients.ts';
import './patients.css';

const PAGE = 25;

export function PatientsScreen() {
  const [search, setSearch] = useState('');
  const [formOpen, setFormOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const role = useSession().data?.user?.role;
  const chartLinks = role !== undefined && can(role, 'encounters.read');
  const patients = usePatients(search, PAGE);
  const failure = patients.isError ? readAppError(patients.error) : null;
  const shown = patients.shown;
  const searchBox = useRef<HTMLInputElement>(null);
  const table = useRef<HTMLTableElement>(null);
  const queryClient = useQueryClient();
  // Stable, so typing (which re-renders this screen) does not re-render the result rows.
  const backToSearch = useCallback(() => searchBox.current?.focus(), []);

  /** Arrow down from the search box goes to the first result's chart link. */
  function onSearchKey(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key !== 'ArrowDown') return;
    const first = table.current?.querySelector<HTMLAnchorElement>('a[data-chart-link]');
    if (!first) return;
    event.preventDefault();
    first.focus();
  }

  /** After saving, linking, or choosing an existing patient: show that one patient (by name, or by MRN). */
  function showPatient(patient: Pick<PatientRow, 'id' | 'givenName' | 'familyName'> | null, message: string, openChart: boolean) {
    setFormOpen(false);
    setNotice(message);
    if (patient) setSearch(`${patient.givenName} ${patient.familyName}`);
    if (patient && openChart && chartLinks) window.location.hash = hrefOf({ section: 'chart', id: patient.id });
  }

  const caption = shown && shown.query ? `Patients matching “${shown.query}”` : 'All patients';
  return (
    <section aria-labelledby="patients-heading">
      <ScreenHead
        headingId="patients-heading"
        title="Patients"
        actionLabel="New patient"
        expanded={formOpen}
        onToggle={() => {
          setFormOpen((open) => !open);
          setNotice(null);
        }}
      />
      {formOpen && (
        <NewPatientCard
          canLink={role !== undefined && can(role, 'patients.link')}
          onDone={showPatient}
          onCancel={() => setFormOpen(false)}
        />
      )}
      {notice && <Alert tone="success">{notice}</Alert>}
      <div className="toolbar">
        <TextField
          label="Search patients"
          type="search"
          name="search"
          value={search}
          onChange={(event) => {
            startPatientSearch(queryClient, event.currentTarget.value, PAGE);
            setSearch(event.currentTarget.value);
          }}
          onKeyDown={onSearchKey}
          inputRef={searchBox}
          placeholder="Name, MRN, phone or birth date"
          hint={chartLinks ? 'Results follow each key. Arrow down to reach them, Enter opens the chart.' : undefined}
          autoComplete="off"
          className="search"
        />
      </div>
      {failure && <Alert tone="error" title="Could not load patients">{failure.message}</Alert>}
      {!shown ? (
        <p className="muted">Loading patients…</p>
      ) : shown.rows.length === 0 ? (
        // data-search: which search this empty answer is for (the text stays the same for every search).
        <p className="empty" data-search={shown.query}>
          {shown.query ? 'No patients match this search.' : 'No patients yet.'}
        </p>
      ) : (
        <PatientTable patients={shown.rows} caption={caption} chartLinks={chartLinks} stale={shown.stale} tableRef={table} onLeaveTop={backToSearch} />
      )}
      <p className="muted small" aria-live="polite">
        {/* Kept while a newer search is on its way (no blank-then-refill on each keystroke). */}
        {!shown || shown.rows.length === 0
          ? ''
          : shown.rows.length >= PAGE
            ? shown.query
              ? `More than ${PAGE} patients match; ${PAGE} are shown. Keep typing to narrow the search.`
              : `Showing the first ${PAGE} patients. Search to find others.`
            : `${shown.rows.length} ${shown.rows.length === 1 ? 'patient' : 'patients'} shown`}
      </p>
    </section>
  );
}
