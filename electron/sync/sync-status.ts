import type { ErrorCode } from '../../shared/errors.ts';
import type { BootstrapProgress } from './bootstrap-progress.ts';
import type { ChecksumReport } from './checksum-check.ts';

/** What the UI shows about sync; errors are kept here as values, not thrown at the user. */
export interface SyncStatus {
  state: 'idle' | 'syncing' | 'offline' | 'error';
  online: boolean;
  pending: number;
  lastSyncedAt: string | null;
  lastError: { code: ErrorCode; message: string } | null;
  /** The first download (progress bar: rows done of rows total, time left); null when there was none to follow. */
  bootstrap: BootstrapProgress | null;
  /** The last checksum comparison of each domain with the server (a mismatch was resynced and is counted). */
  checksums: ChecksumReport[];
}

export const SIGNED_OUT_SYNC_STATUS: SyncStatus = { state: 'idle', online: false, pending: 0, lastSyncedAt: null, lastError: null, bootstrap: null, checksums: [] };
