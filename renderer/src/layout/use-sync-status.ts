import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { SyncStatus } from '../api/types.ts';

/**
 * Polls the sync status about once a second. When the engine reports a new sync or a
 * different pending count, the local lists are refetched so pulled records appear and
 * "pending" markers clear without the user doing anything.
 */
export function useSyncStatus() {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: keys.sync,
    queryFn: () => api.sync.status.query(),
    refetchInterval: 1000,
    refetchIntervalInBackground: true,
  });
  const fingerprint = query.data ? `${query.data.lastSyncedAt ?? ''}|${query.data.pending}` : null;
  const previous = useRef<string | null>(null);
  useEffect(() => {
    if (fingerprint === null) return;
    if (previous.current !== null && previous.current !== fingerprint) {
      void queryClient.invalidateQueries({ queryKey: keys.patients });
      void queryClient.invalidateQueries({ queryKey: keys.appointments });
    }
    previous.current = fingerprint;
  }, [fingerprint, queryClient]);
  return query;
}

export function useSyncNow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.sync.now.mutate(),
    onSuccess: (status: SyncStatus) => {
      queryClient.setQueryData(keys.sync, status);
      void queryClient.invalidateQueries({ queryKey: keys.patients });
      void queryClient.invalidateQueries({ queryKey: keys.appointments });
    },
  });
}
