import { readAppError } from '../api/errors.ts';
import { hrefOf } from '../layout/routes.ts';
import { Alert } from '../ui/Alert.tsx';
import { DataTable } from '../ui/DataTable.tsx';
import { formatTime } from '../ui/format.ts';
import { useMyDay, usePatientHeaders } from './use-clinical.ts';

/** The practitioner's encounters of the day, each opening its encounter screen. */
export function DayEncounters({ date, practitionerId }: { date: string; practitionerId: string }) {
  const day = useMyDay(date, practitionerId);
  const encounters = day.data?.encounters ?? [];
  const headers = usePatientHeaders(encounters.map((e) => e.patientId));
  const nameOf = (patientId: string) => {
    const patient = headers.data?.find((p) => p.id === patientId);
    return patient ? `${patient.familyName}, ${patient.givenName}` : 'Patient not synced yet';
  };
  const failure = day.isError ? readAppError(day.error) : null;
  return (
    <section aria-labelledby="my-day-encounters" className="clinical-part">
      <h2 id="my-day-encounters">Encounters</h2>
      {failure && <Alert tone="error" title="Could not load the encounters">{failure.message}</Alert>}
      {day.isPending ? (
        <p className="muted">Loading encounters…</p>
      ) : encounters.length === 0 ? (
        <p className="empty">No encounters for this practitioner on this day yet.</p>
      ) : (
        <DataTable caption="Encounters of the day, in time order" columns={['Started', 'Patient', 'Status', 'Encounter']}>
          {encounters.map((encounter) => (
            <tr key={encounter.id}>
              <th scope="row">{formatTime(encounter.startedAt)}</th>
              <td>
                <a href={hrefOf({ section: 'chart', id: encounter.patientId })}>{nameOf(encounter.patientId)}</a>
              </td>
              <td>{encounter.status === 'open' ? 'Open' : 'Closed'}</td>
              <td>
                <a href={hrefOf({ section: 'encounter', id: encounter.id })}>
                  Open encounter<span className="visually-hidden">{` for ${nameOf(encounter.patientId)} at ${formatTime(encounter.startedAt)}`}</span>
                </a>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}
