import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';

/** Open conflicts only: resolved ones leave the list. Polled, so a sync that logs new ones shows them. */
export const openConflictsKey = ['sync-conflicts', 'open'] as const;

export function useOpenConflicts() {
  return useQuery({
    queryKey: openConflictsKey,
    queryFn: () => api.sync.conflicts.list.query({ open: true }),
    refetchInterval: 2000,
  });
}

export function useResolveConflict() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: number; keep: 'winner' | 'loser' }) => api.sync.conflicts.resolve.mutate(input),
    onSuccess: () => {
      // Keeping the other value is a new local edit: the lists and the pending count change.
      void queryClient.invalidateQueries({ queryKey: openConflictsKey });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
      void queryClient.invalidateQueries({ queryKey: keys.patients });
      void queryClient.invalidateQueries({ queryKey: keys.appointments });
    },
  });
}
