import type { AppointmentRow } from '../api/types.ts';
import { formatTime } from '../ui/format.ts';
import { PendingMarker } from '../ui/PendingMarker.tsx';

const STATUS_LABELS: Record<AppointmentRow['status'], string> = {
  booked: 'Booked',
  checked_in: 'Checked in',
  cancelled: 'Cancelled',
  no_show: 'No-show',
};

export function AppointmentTable({ appointments, caption }: { appointments: readonly AppointmentRow[]; caption: string }) {
  const sorted = [...appointments].sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Patient</th>
            <th scope="col">Practitioner</th>
            <th scope="col">Location</th>
            <th scope="col">Status</th>
            <th scope="col">Sync</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((appointment) => (
            <tr key={appointment.id}>
              <td>
                <time dateTime={appointment.startsAt}>{formatTime(appointment.startsAt)}</time>
                {'–'}
                <time dateTime={appointment.endsAt}>{formatTime(appointment.endsAt)}</time>
                {appointment.reason && <div className="muted small">{appointment.reason}</div>}
              </td>
              <th scope="row">{appointment.patientName}</th>
              <td>{appointment.practitionerName || '—'}</td>
              <td>{appointment.location || '—'}</td>
              <td>
                <span className={`status status-${appointment.status}`}>{STATUS_LABELS[appointment.status]}</span>
              </td>
              <td>{appointment.pending ? <PendingMarker /> : <span className="muted">Synced</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
