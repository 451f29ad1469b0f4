import { memo, type KeyboardEvent, type Ref } from 'react';
import type { PatientRow } from '../api/types.ts';
import { hrefOf } from '../layout/routes.ts';
import { formatCalendarDate } from '../ui/format.ts';
import { PendingMarker } from '../ui/PendingMarker.tsx';
import { SEX_OPTIONS } from './patient-form.ts';

const sexLabel = (sex: string) => SEX_OPTIONS.find((option) => option.value === sex)?.label ?? sex;

type Props = {
  patients: readonly PatientRow[];
  caption: string;
  /** Roles that may open a chart get the name as a link to it. */
  chartLinks: boolean;
  /** Rows of a search still being answered: announced as busy. */
  stale?: boolean;
  tableRef?: Ref<HTMLTableElement>;
  /** Arrow up from the first row: back to the search box. */
  onLeaveTop?: () => void;
};

/** Up and down arrows move between the rows' chart links; Enter follows the link (the browser's own). */
function moveFocus(event: KeyboardEvent<HTMLTableElement>, onLeaveTop?: () => void) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('a[data-chart-link]')];
  const at = links.indexOf(document.activeElement as HTMLAnchorElement);
  if (at < 0) return;
  event.preventDefault();
  if (event.key === 'ArrowUp' && at === 0) onLeaveTop?.();
  else links[Math.min(links.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)))]?.focus();
}

export function PatientTable({ patients, caption, chartLinks, stale = false, tableRef, onLeaveTop }: Props) {
  return (
    // Stale rows are not dimmed: restyling the whole table on every keystroke costs a full
    // repaint of it (software raster on a desk without GPU) for an answer ~20 ms away.
    // aria-busy tells assistive technology; the caption still names the shown search.
    <div className="table-wrap patient-results">
      <table ref={tableRef} aria-busy={stale || undefined} onKeyDown={(event) => moveFocus(event, onLeaveTop)}>
        <caption className="visually-hidden">{caption}</caption>
        <colgroup>
          <col className="col-name" />
          <col className="col-birth" />
          <col className="col-sex" />
          <col className="col-phone" />
          <col className="col-mrn" />
          <col className="col-sync" />
        </colgroup>
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
        <PatientRows patients={patients} chartLinks={chartLinks} />
      </table>
    </div>
  );
}

/**
 * The rows, rendered again only when the answer changes: a keystroke marks the shown rows
 * stale (the table's aria-busy) without touching them, so typing costs no row rendering
 * until the new answer lands.
 */
const PatientRows = memo(function PatientRows({ patients, chartLinks }: Pick<Props, 'patients' | 'chartLinks'>) {
  return (
    <tbody>
      {patients.map((patient) => {
        const name = `${patient.familyName}, ${patient.givenName}`;
        return (
          <tr key={patient.id}>
            <th scope="row">
              {chartLinks ? (
                <a href={hrefOf({ section: 'chart', id: patient.id })} data-chart-link="">
                  {name}
                </a>
              ) : (
                name
              )}
            </th>
            <td>{formatCalendarDate(patient.birthDate)}</td>
            <td>{sexLabel(patient.sex)}</td>
            <td>{patient.phone || '—'}</td>
            <td>{patient.mrn || '—'}</td>
            <td>{patient.pending ? <PendingMarker /> : <span className="muted">Synced</span>}</td>
          </tr>
        );
      })}
    </tbody>
  );
});
