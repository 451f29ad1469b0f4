import { QueryClient } from '@tanstack/react-query';
import { readAppError } from '../api/errors.ts';

/**
 * The local API answers from the workstation's own store, so retries only help with a
 * transient host hiccup; a locked store or bad input will not fix itself.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => readAppError(error).code === null && failureCount < 2,
        refetchOnWindowFocus: true,
        staleTime: 0,
      },
      mutations: { retry: false },
    },
  });
}
