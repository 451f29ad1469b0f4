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
  // The server no longer speaks this workstation's protocol (or the reverse): only an update
  // fixes it, so it says so through every retry, not only between them.
  const updateRequired = status.lastError?.code === 'PROTOCOL_UNSUPPORTED';
  const connection = updateRequired
    ? 'Update required'
    : !status.online || status.state === 'offline'
      ? 'Offline'
      : status.state === 'error'
        ? 'Sync problem'
        : 'Online';
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
    problem: (status.state === 'error' || updateRequired) && status.lastError ? status.lastError.message : undefined,
  };
}

/**
 * The server cannot be reached (or this session was opened without it): the shell says so
 * calmly. A retry in progress ('syncing' after an OFFLINE failure) still counts, so the
 * banner does not blink with every attempt; before the first cycle it does not show.
 */
export function isWorkingOffline(status: SyncStatus): boolean {
  if (status.state === 'offline') return true;
  return status.state === 'syncing' && !status.online && status.lastError?.code === 'OFFLINE';
}

/** The pending count as the offline banner says it. */
export function offlinePendingText(pending: number): string {
  if (pending === 0) return 'Nothing is waiting to sync.';
  return pending === 1 ? '1 change is waiting to sync.' : `${pending} changes are waiting to sync.`;
}
