import { MutationCache, notifyManager, QueryCache, QueryClient } from '@tanstack/react-query';
import { readAppError } from '../api/errors.ts';
import { keys } from '../api/keys.ts';

/** Codes that mean "this session is gone" (signed out elsewhere, store locked on idle). */
const SESSION_LOST = new Set(['STORE_LOCKED', 'UNAUTHENTICATED']);

/**
 * The local API answers from the workstation's own store, so retries only help with a
 * transient host hiccup; a locked store or bad input will not fix itself. When any call
 * reports the session gone, the session is re-read so the app returns to sign-in.
 */
export function createQueryClient(): QueryClient {
  // An answer reaches the screen in the same task it arrived in, not a setTimeout later
  // (the default): search-as-you-type pays that hop on every keystroke, and a busy page can
  // hold a timer behind other work.
  notifyManager.setScheduler(queueMicrotask);
  const onError = (error: unknown, queryKey?: readonly unknown[]) => {
    const code = readAppError(error).code;
    if (code && SESSION_LOST.has(code) && queryKey?.[0] !== keys.session[0]) {
      void client.invalidateQueries({ queryKey: keys.session });
    }
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: (error, query) => onError(error, query.queryKey) }),
    mutationCache: new MutationCache({ onError: (error) => onError(error) }),
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => readAppError(error).code === null && failureCount < 2,
        refetchOnWindowFocus: true,
        staleTime: 0,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
