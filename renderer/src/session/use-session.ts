import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { SessionStatus, SignInInput } from '../api/types.ts';

export function useSession() {
  // Re-read now and then (not activity): an offline session going online, or emergency access ending, shows without a click.
  return useQuery({ queryKey: keys.session, queryFn: () => api.session.status.query(), refetchInterval: 10_000 });
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

export function useUnlock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.session.unlock.mutate({ password }),
    onSuccess: (status: SessionStatus) => queryClient.setQueryData(keys.session, status),
  });
}

export function useLock() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.session.lock.mutate(),
    onSuccess: (status: SessionStatus) => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== keys.session[0] });
      queryClient.setQueryData(keys.session, status);
    },
  });
}
