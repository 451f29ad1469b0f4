import type { PatientRow } from '../api/types.ts';
import { formatCalendarDate } from '../ui/format.ts';
import { PendingMarker } from '../ui/PendingMarker.tsx';
import { SEX_OPTIONS } from './patient-form.ts';

const sexLabel = (sex: string) => SEX_OPTIONS.find((option) => option.value === sex)?.label ?? sex;

export function PatientTable({ patients, caption }: { patients: readonly PatientRow[]; caption: string }) {
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Date of birth</th>
            <th scope="col">Sex</th>
            <th scope="col">Phone</th>
            <th scope="col">MRN</th>
            <th scope="col">Sync</th>
          </tr>
        </thead>
        <tbody>
          {patients.map((patient) => (
            <tr key={patient.id}>
              <th scope="row">
                {patient.familyName}, {patient.givenName}
              </th>
              <td>{formatCalendarDate(patient.birthDate)}</td>
              <td>{sexLabel(patient.sex)}</td>
              <td>{patient.phone || '—'}</td>
              <td>{patient.mrn || '—'}</td>
              <td>{patient.pending ? <PendingMarker /> : <span className="muted">Synced</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
