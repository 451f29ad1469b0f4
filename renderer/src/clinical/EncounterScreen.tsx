import { readAppError } from '../api/errors.ts';
import { can, hrefOf } from '../layout/routes.ts';
import { useSession } from '../session/use-session.ts';
import { Alert } from '../ui/Alert.tsx';
import { formatDateTime } from '../ui/format.ts';
import './clinical.css';
import { EncounterNotes } from './EncounterNotes.tsx';
import { EncounterOrders } from './EncounterOrders.tsx';
import { PatientBanner } from './PatientBanner.tsx';
import { useCloseEncounter, useEncounterDetail, usePractitioners, useRefreshOnSync } from './use-clinical.ts';

/**
 * One encounter: its details and Close, then its notes and orders for roles that may see
 * them (null from the API otherwise, and the screen says so).
 */
export function EncounterScreen({ encounterId }: { encounterId: string }) {
  useRefreshOnSync();
  const session = useSession();
  const user = session.data?.user;
  const role = user?.role ?? 'front_desk';
  const detail = useEncounterDetail(encounterId);
  const practitioners = usePractitioners();
  const close = useCloseEncounter();
  const failure = detail.isError ? readAppError(detail.error) : null;
  const closeFailure = close.isError ? readAppError(close.error) : null;
  const data = detail.data;
  const encounter = data?.encounter;
  const practitioner = encounter?.practitionerId ? (practitioners.data?.find((p) => p.id === encounter.practitionerId)?.displayName ?? 'Not synced yet') : 'Not named';

  return (
    <section aria-labelledby="encounter-heading" className="clinical">
      <PatientBanner patient={data?.patient} headingId="encounter-heading" title="Encounter" />
      {failure && <Alert tone="error" title="Could not load the encounter">{failure.message}</Alert>}
      {detail.isPending && <p className="muted">Loading the encounter…</p>}
      {encounter && (
        <>
          <p>
            <a href={hrefOf({ section: 'chart', id: encounter.patientId })}>Back to the chart</a>
          </p>
          <section aria-labelledby="encounter-details" className="clinical-part">
            <div className="part-head">
              <h2 id="encounter-details">Details</h2>
              {encounter.status === 'open' && can(role, 'encounters.write') && (
                <button type="button" onClick={() => close.mutate(encounter.id)} disabled={close.isPending}>
                  {close.isPending ? 'Closing…' : 'Close encounter'}
                </button>
              )}
            </div>
            {closeFailure && <Alert tone="error" title="Could not close the encounter">{closeFailure.message}</Alert>}
            <dl className="facts">
              <div>
                <dt>Status</dt>
                <dd>{encounter.status === 'open' ? 'Open' : 'Closed'}</dd>
              </div>
              <div>
                <dt>Started</dt>
                <dd>{formatDateTime(encounter.startedAt)}</dd>
              </div>
              <div>
                <dt>Ended</dt>
                <dd>{encounter.endedAt ? formatDateTime(encounter.endedAt) : '—'}</dd>
              </div>
              <div>
                <dt>Practitioner</dt>
                <dd>{practitioner}</dd>
              </div>
            </dl>
          </section>
          {data.notes === null ? (
            <section aria-labelledby="encounter-notes" className="clinical-part">
              <h2 id="encounter-notes">Clinical notes</h2>
              <p className="muted">Clinical notes are not shown for your role.</p>
            </section>
          ) : (
            <EncounterNotes encounterId={encounter.id} notes={data.notes} userId={user?.userId ?? ''} canWrite={can(role, 'notes.write')} canSign={can(role, 'notes.sign')} />
          )}
          {data.orders === null ? (
            <section aria-labelledby="encounter-orders" className="clinical-part">
              <h2 id="encounter-orders">Orders</h2>
              <p className="muted">Orders are not shown for your role.</p>
            </section>
          ) : (
            <EncounterOrders encounterId={encounter.id} orders={data.orders} canWrite={can(role, 'orders.write')} encounterOpen={encounter.status === 'open'} />
          )}
        </>
      )}
    </section>
  );
}
