import { readAppError } from '../api/errors.ts';
import { useSession } from '../session/use-session.ts';
import { describeSyncStatus } from './sync-status-text.ts';
import { useRoute } from './use-route.ts';
import { useSyncNow, useSyncStatus } from './use-sync-status.ts';

/** The Sync centre has its own "Sync now": one button of that name per screen. */
function useOnSyncCentre(): boolean {
  const role = useSession().data?.user?.role ?? 'front_desk';
  return useRoute(role).section === 'sync';
}

export function SyncStatusBadge() {
  const onSyncCentre = useOnSyncCentre();
  const status = useSyncStatus();
  const syncNow = useSyncNow();
  const view = status.data ? describeSyncStatus(status.data) : null;
  const nowError = syncNow.isError ? readAppError(syncNow.error) : null;

  return (
    <div className="sync">
      <div className={`sync-badge tone-${view?.tone ?? 'warn'}`} role="status" aria-label="Sync status">
        {view ? (
          <>
            <span className="sync-dot" aria-hidden="true" />
            <span className="sync-connection">{view.connection}</span>
            <span className="sync-sep" aria-hidden="true">·</span>
            <span>{view.pending}</span>
            <span className="sync-sep" aria-hidden="true">·</span>
            <span title={view.lastSyncedTitle}>{view.lastSynced}</span>
            {view.problem && <span className="sync-problem">: {view.problem}</span>}
          </>
        ) : status.isError ? (
          <span>Sync status unavailable</span>
        ) : (
          <span>Checking sync…</span>
        )}
      </div>
      {!onSyncCentre && (
        <button type="button" onClick={() => syncNow.mutate()} disabled={syncNow.isPending}>
          {syncNow.isPending ? 'Syncing…' : 'Sync now'}
        </button>
      )}
      {nowError && !onSyncCentre && <span className="sync-problem" role="alert">{nowError.message}</span>}
    </div>
  );
}
