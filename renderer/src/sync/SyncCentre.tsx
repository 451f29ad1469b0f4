import { readAppError } from '../api/errors.ts';
import { describeSyncStatus } from '../layout/sync-status-text.ts';
import { useSyncNow, useSyncStatus } from '../layout/use-sync-status.ts';
import { Alert } from '../ui/Alert.tsx';
import { BookingConflictsNote } from './BookingConflictsNote.tsx';
import { ConflictList } from './ConflictList.tsx';
import { describeBootstrap } from './sync-centre-text.ts';

/** Sync centre: where sync stands, the first download's progress, and the conflicts to decide. */
export function SyncCentre() {
  const status = useSyncStatus();
  const syncNow = useSyncNow();
  const view = status.data ? describeSyncStatus(status.data) : null;
  const bootstrap = status.data ? describeBootstrap(status.data.bootstrap) : null;
  const nowError = syncNow.isError ? readAppError(syncNow.error) : null;

  return (
    <section aria-labelledby="sync-heading">
      <div className="screen-head">
        <h1 id="sync-heading">Sync</h1>
        <button type="button" className="primary" onClick={() => syncNow.mutate()} disabled={syncNow.isPending}>
          {syncNow.isPending ? 'Syncing…' : 'Sync now'}
        </button>
      </div>
      {nowError && <Alert tone="error" title="Sync did not finish">{nowError.message}</Alert>}
      {status.isError && <Alert tone="error" title="Sync status unavailable">{readAppError(status.error).message}</Alert>}
      {view ? (
        <dl className="sync-facts">
          <dt>Status</dt>
          <dd>{view.connection}{view.problem ? `: ${view.problem}` : ''}</dd>
          <dt>Pending changes</dt>
          <dd>{view.pending}</dd>
          <dt>Last sync</dt>
          <dd title={view.lastSyncedTitle}>{view.lastSynced}</dd>
        </dl>
      ) : (
        !status.isError && <p className="muted">Checking sync…</p>
      )}
      {bootstrap && (
        <div className="bootstrap">
          <label htmlFor="bootstrap-progress">First download</label>
          <progress id="bootstrap-progress" max={bootstrap.max} value={bootstrap.value} aria-valuetext={bootstrap.valueText} />
          <p className="muted small">
            {bootstrap.rows} · {bootstrap.timeLeft}
          </p>
        </div>
      )}
      <ConflictList />
      <BookingConflictsNote />
    </section>
  );
}
