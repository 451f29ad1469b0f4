import { describe, expect, it } from 'vitest';
import { describeSyncStatus, isWorkingOffline, offlinePendingText } from './sync-status-text.ts';

const base = { state: 'idle' as const, online: true, pending: 0, lastSyncedAt: null, lastError: null, bootstrap: null, checksums: [] };

describe('describeSyncStatus', () => {
  it('says everything in words', () => {
    const view = describeSyncStatus({ ...base, pending: 2 });
    expect([view.connection, view.pending, view.lastSynced]).toEqual(['Online', '2 changes waiting to sync', 'Not synced yet']);
  });

  it('reports offline and keeps the count', () => {
    const view = describeSyncStatus({ ...base, state: 'offline', online: false, pending: 1 });
    expect(view.connection).toBe('Offline');
    expect(view.pending).toBe('1 change waiting to sync');
  });

  it('shows the sync error message', () => {
    const view = describeSyncStatus({ ...base, state: 'error', lastError: { code: 'INTERNAL', message: 'The server refused the batch.' } });
    expect(view).toMatchObject({ connection: 'Sync problem', tone: 'error', problem: 'The server refused the batch.' });
  });

  it('says "Update required" with the reason when the protocol is no longer accepted, also while it retries', () => {
    const lastError = { code: 'PROTOCOL_UNSUPPORTED' as const, message: 'Update required: This workstation uses an older sync protocol. Local data is kept.' };
    for (const state of ['error', 'syncing'] as const) {
      const view = describeSyncStatus({ ...base, state, pending: 3, lastError });
      expect(view).toMatchObject({ connection: 'Update required', tone: 'error', pending: '3 changes waiting to sync', problem: lastError.message });
    }
  });
});

describe('isWorkingOffline (the offline banner)', () => {
  const offlineError = { code: 'OFFLINE' as const, message: 'The sync server cannot be reached.' };
  it('shows when the server is unreachable, and through a retry that has not succeeded yet', () => {
    expect(isWorkingOffline({ ...base, state: 'offline', online: false, lastError: offlineError })).toBe(true);
    expect(isWorkingOffline({ ...base, state: 'syncing', online: false, lastError: offlineError })).toBe(true);
  });
  it('does not show before the first cycle, while online, or for a server-side problem', () => {
    expect(isWorkingOffline({ ...base, state: 'syncing', online: false })).toBe(false);
    expect(isWorkingOffline({ ...base, state: 'idle', online: true })).toBe(false);
    expect(isWorkingOffline({ ...base, state: 'error', online: true, lastError: { code: 'INTERNAL', message: 'x' } })).toBe(false);
  });
  it('says the pending count in a sentence', () => {
    expect([0, 1, 3].map(offlinePendingText)).toEqual(['Nothing is waiting to sync.', '1 change is waiting to sync.', '3 changes are waiting to sync.']);
  });
});
