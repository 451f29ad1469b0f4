import type { EncounterRow, PractitionerOption } from '../api/types.ts';
import { hrefOf } from '../layout/routes.ts';
import { DataTable } from '../ui/DataTable.tsx';
import { formatDateTime } from '../ui/format.ts';

/** A patient's encounters (newest first), each opening its encounter screen. */
export function EncounterTable({ encounters, practitioners, caption }: { encounters: readonly EncounterRow[]; practitioners: readonly PractitionerOption[]; caption: string }) {
  const nameOf = (id: string | null) => (id ? (practitioners.find((p) => p.id === id)?.displayName ?? 'Not synced yet') : '—');
  return (
    <DataTable caption={caption} columns={['Started', 'Status', 'Practitioner', 'Encounter']}>
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
    </DataTable>
  );
}
