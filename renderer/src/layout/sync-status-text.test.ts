import { describe, expect, it } from 'vitest';
import { describeSyncStatus } from './sync-status-text.ts';

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
});
