import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { SyncStatus } from './types.ts';

/**
 * Pulled records show up without a click: when the polled sync status changes (a new sync,
 * a different pending count), the given views are read again. The first status seen only
 * sets the baseline. `queryKeys` is read on each change, so a fresh array per render is fine.
 */
export function useRefetchOnSyncChange(status: SyncStatus | undefined, queryKeys: readonly QueryKey[]): void {
  const queryClient = useQueryClient();
  const fingerprint = status ? `${status.lastSyncedAt ?? ''}|${status.pending}` : null;
  const previous = useRef<string | null>(null);
  const latestKeys = useRef(queryKeys);
  latestKeys.current = queryKeys;
  useEffect(() => {
    if (fingerprint === null) return;
    if (previous.current !== null && previous.current !== fingerprint) {
      for (const queryKey of latestKeys.current) void queryClient.invalidateQueries({ queryKey });
    }
    previous.current = fingerprint;
  }, [fingerprint, queryClient]);
}
