import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { SessionStatus, SignInInput } from '../api/types.ts';

export function useSession() {
  // Re-read every few seconds (not activity, see session-gate.ts): an idle lock, an offline
  // session going online, or emergency access ending shows without a click. The sync
  // badge's 1 s poll is refused with STORE_LOCKED once locked, which re-reads this sooner.
  return useQuery({ queryKey: keys.session, queryFn: () => api.session.status.query(), refetchInterval: 3_000, refetchIntervalInBackground: true });
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

/** The orgs with a store on this workstation, for the org switcher (read when it opens). */
export function useKnownOrgs(enabled: boolean) {
  return useQuery({ queryKey: ['known-orgs'], queryFn: () => api.session.knownOrgs.query(), enabled, staleTime: 0 });
}
