import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { SessionStatus, SignInInput } from '../api/types.ts';

export function useSession() {
  return useQuery({ queryKey: keys.session, queryFn: () => api.session.status.query() });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SignInInput) => api.session.signIn.mutate(input),
    onSuccess: (status: SessionStatus) => {
      // Nothing from a previous session may linger in the cache.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      queryClient.setQueryData(keys.session, status);
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.session.signOut.mutate(),
    onSuccess: (status: SessionStatus) => {
      // Drop every cached patient and appointment the moment the user signs out.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      queryClient.setQueryData(keys.session, status);
    },
  });
}
