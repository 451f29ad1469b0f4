import type { SyncStatus } from '../api/types.ts';
import { formatDateTime, formatTime } from '../ui/format.ts';

export type SyncStatusView = {
  tone: 'ok' | 'warn' | 'error';
  connection: string;
  pending: string;
  lastSynced: string;
  lastSyncedTitle: string | undefined;
  problem: string | undefined;
};

/**
 * Everything the badge says, in words. Time is shown to the minute so the live region
 * does not chatter every second while syncs keep succeeding.
 */
export function describeSyncStatus(status: SyncStatus, now: Date = new Date()): SyncStatusView {
  const connection = !status.online || status.state === 'offline' ? 'Offline' : status.state === 'error' ? 'Sync problem' : 'Online';
  const tone = connection === 'Online' ? (status.pending > 0 ? 'warn' : 'ok') : connection === 'Offline' ? 'warn' : 'error';
  const pending =
    status.pending === 0 ? 'All changes synced' : status.pending === 1 ? '1 change waiting to sync' : `${status.pending} changes waiting to sync`;
  let lastSynced = 'Not synced yet';
  if (status.lastSyncedAt) {
    const at = new Date(status.lastSyncedAt);
    const sameDay = at.toDateString() === now.toDateString();
    lastSynced = `Last synced ${sameDay ? formatTime(status.lastSyncedAt) : formatDateTime(status.lastSyncedAt)}`;
  }
  return {
    tone,
    connection,
    pending,
    lastSynced,
    lastSyncedTitle: status.lastSyncedAt ? formatDateTime(status.lastSyncedAt) : undefined,
    problem: status.state === 'error' && status.lastError ? status.lastError.message : undefined,
  };
}
