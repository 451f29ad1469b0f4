import type { EncounterRow, PractitionerOption } from '../api/types.ts';
import { hrefOf } from '../layout/routes.ts';
import { formatDateTime } from '../ui/format.ts';

/** A patient's encounters (newest first), each opening its encounter screen. */
export function EncounterTable({ encounters, practitioners, caption }: { encounters: readonly EncounterRow[]; practitioners: readonly PractitionerOption[]; caption: string }) {
  const nameOf = (id: string | null) => (id ? (practitioners.find((p) => p.id === id)?.displayName ?? 'Not synced yet') : '—');
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Status</th>
            <th scope="col">Practitioner</th>
            <th scope="col">Encounter</th>
          </tr>
        </thead>
        <tbody>
          {encounters.map((encounter) => (
            <tr key={encounter.id}>
              <th scope="row">{formatDateTime(encounter.startedAt)}</th>
              <td>{encounter.status === 'open' ? 'Open' : `Closed ${formatDateTime(encounter.endedAt ?? '')}`}</td>
              <td>{nameOf(encounter.practitionerId)}</td>
              <td>
                <a href={hrefOf({ section: 'encounter', id: encounter.id })}>
                  View<span className="visually-hidden">{` encounter of ${formatDateTime(encounter.startedAt)}`}</span>
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
