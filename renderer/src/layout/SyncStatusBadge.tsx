import { readAppError } from '../api/errors.ts';
import { describeSyncStatus } from './sync-status-text.ts';
import { useSyncNow, useSyncStatus } from './use-sync-status.ts';

export function SyncStatusBadge() {
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
      <button type="button" onClick={() => syncNow.mutate()} disabled={syncNow.isPending}>
        {syncNow.isPending ? 'Syncing…' : 'Sync now'}
      </button>
      {nowError && <span className="sync-problem" role="alert">{nowError.message}</span>}
    </div>
  );
}
