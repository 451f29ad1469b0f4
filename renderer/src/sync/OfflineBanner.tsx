import { isWorkingOffline, offlinePendingText } from '../layout/sync-status-text.ts';
import { useSyncStatus } from '../layout/use-sync-status.ts';

/**
 * Shown while the server cannot be reached. Calm on purpose: nothing is blocked, work is
 * saved locally and syncs later, so it is information (role=status), not an error. The
 * live region stays in the page and only its content comes and goes, so screen readers
 * announce the change.
 */
export function OfflineBanner() {
  const status = useSyncStatus();
  const offline = status.data ? isWorkingOffline(status.data) : false;
  return (
    <div className="offline-region" role="status">
      {offline && status.data && (
        <div className="offline-banner">
          <span className="offline-banner-icon" aria-hidden="true">
            ☁
          </span>
          <p>
            <strong>Working offline</strong> — changes are saved on this computer and will sync when the connection returns.{' '}
            <span className="offline-banner-pending">{offlinePendingText(status.data.pending)}</span>
          </p>
        </div>
      )}
    </div>
  );
}
