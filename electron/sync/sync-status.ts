import type { ErrorCode } from '../../shared/errors.ts';

/** What the UI shows about sync; errors are kept here as values, not thrown at the user. */
export interface SyncStatus {
  state: 'idle' | 'syncing' | 'offline' | 'error';
  online: boolean;
  pending: number;
  lastSyncedAt: string | null;
  lastError: { code: ErrorCode; message: string } | null;
}

export const SIGNED_OUT_SYNC_STATUS: SyncStatus = { state: 'idle', online: false, pending: 0, lastSyncedAt: null, lastError: null };
