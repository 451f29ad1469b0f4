import { readAppError } from '../api/errors.ts';
import { can, hrefOf } from '../layout/routes.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import './clinical.css';
import { EncounterTable } from './EncounterTable.tsx';
import { NoteCard } from './NoteCard.tsx';
import { OrderTable } from './OrderTable.tsx';
import { PatientBanner } from './PatientBanner.tsx';
import { practitionerInUse, rememberedPractitionerId } from './practitioner-choice.ts';
import { useAuthorNames, useChart, useOpenEncounter, usePatientHeaders, usePractitioners, useRefreshOnSync } from './use-clinical.ts';

/**
 * A patient's chart: header, encounters, and (for roles that may read them) notes and
 * orders. The API sends notes/orders as null for the front desk, so their contents never
 * reach this page; the screen says so rather than showing an empty list.
 */
export function ChartScreen({ patientId }: { patientId: string }) {
  useRefreshOnSync();
  const session = useSession();
  const user = session.data?.user;
  const chart = useChart(patientId);
  const header = usePatientHeaders([patientId]);
  const practitioners = usePractitioners();
  const open = useOpenEncounter();
  const role = user?.role ?? 'front_desk';
  const failure = chart.isError ? readAppError(chart.error) : null;
  const openFailure = open.isError ? readAppError(open.error) : null;
  const data = chart.data;
  const amendedIds = new Set((data?.notes ?? []).flatMap((note) => (note.amendsId ? [note.amendsId] : [])));
  const authorNames = useAuthorNames(data?.notes);

  function openEncounter() {
    const practitionerId = practitionerInUse(practitioners.data ?? [], rememberedPractitionerId());
    open.mutate({ patientId, practitionerId }, { onSuccess: ({ id }) => (window.location.hash = hrefOf({ section: 'encounter', id })) });
  }

  return (
    <section aria-labelledby="chart-heading" className="clinical">
      <div className="screen-head">
        <PatientBanner patient={header.data?.[0]} headingId="chart-heading" title="Chart" />
        {can(role, 'encounters.write') && data && (
          <button type="button" className="primary" onClick={openEncounter} disabled={open.isPending}>
            {open.isPending ? 'Opening…' : 'Open encounter'}
          </button>
        )}
      </div>
      {failure && <Alert tone="error" title="Could not load the chart">{failure.message}</Alert>}
      {openFailure && <Alert tone="error" title="Could not open an encounter">{openFailure.message}</Alert>}
      {chart.isPending && <p className="muted">Loading the chart…</p>}
      {data && (
        <>
          <section aria-labelledby="chart-encounters" className="clinical-part">
            <h2 id="chart-encounters">Encounters</h2>
            {data.encounters.length === 0 ? (
              <p className="empty">No encounters yet.</p>
            ) : (
              <EncounterTable encounters={data.encounters} practitioners={practitioners.data ?? []} caption="Encounters, newest first" />
            )}
          </section>
          <section aria-labelledby="chart-notes" className="clinical-part">
            <h2 id="chart-notes">Clinical notes</h2>
            {data.notes === null ? (
              <p className="muted">Clinical notes are not shown for your role.</p>
            ) : data.notes.length === 0 ? (
              <p className="empty">No clinical notes yet.</p>
            ) : (
              <div className="note-list">
                {data.notes.map((note) => (
                  <NoteCard key={note.id} note={note} amended={amendedIds.has(note.id)} userId={user?.userId ?? ''} authorNames={authorNames} />
                ))}
              </div>
            )}
          </section>
          <section aria-labelledby="chart-orders" className="clinical-part">
            <h2 id="chart-orders">Orders</h2>
            {data.orders === null ? (
              <p className="muted">Orders are not shown for your role.</p>
            ) : data.orders.length === 0 ? (
              <p className="empty">No orders yet.</p>
            ) : (
              <OrderTable orders={data.orders} caption="Orders, oldest first" />
            )}
          </section>
        </>
      )}
    </section>
  );
}
