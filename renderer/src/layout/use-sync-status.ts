import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { useRefetchOnSyncChange } from '../api/use-refetch-on-sync.ts';
import type { SyncStatus } from '../api/types.ts';

/**
 * Polls the sync status about once a second. When the engine reports a new sync or a
 * different pending count, the local lists are refetched so pulled records appear and
 * "pending" markers clear without the user doing anything.
 */
export function useSyncStatus() {
  const query = useQuery({
    queryKey: keys.sync,
    queryFn: () => api.sync.status.query(),
    refetchInterval: 1000,
    refetchIntervalInBackground: true,
  });
  useRefetchOnSyncChange(query.data, [keys.patients, keys.appointments]);
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
