import { createWSClient, httpLink, splitLink, wsLink, type TRPCLink } from '@trpc/client';
import type { LocalApiRouter } from '../../../electron/local-api/router.ts';
import { LOCAL_API_SOCKET_PATH } from '../../../shared/local-api-socket.ts';

/**
 * Browser mode's link to the workstation host: every call goes over one WebSocket while it is
 * open (a message on a live connection, not a new request through the browser's network
 * stack: search-as-you-type pays this on each keystroke), and over plain HTTP to /api
 * otherwise — before the socket has opened, while it reconnects, or when the host refuses it
 * (a lost launch session), where HTTP's 401/403 lets the page say why. Calls are never
 * batched: the batch link holds each call for a tick.
 */
export function hostLink(origin: string): TRPCLink<LocalApiRouter> {
  const socketUrl = new URL(LOCAL_API_SOCKET_PATH, origin.replace(/^http/, 'ws')).toString();
  // The host is on loopback: retry soon and often rather than back off to half a minute.
  const socket = createWSClient({ url: socketUrl, retryDelayMs: (attempt) => Math.min(250 * 2 ** attempt, 5_000) });
  return splitLink<LocalApiRouter>({
    condition: () => socket.connectionState.get().state === 'pending',
    true: wsLink<LocalApiRouter>({ client: socket }),
    false: httpLink<LocalApiRouter>({
      url: new URL('api', `${origin}/`).toString(),
      fetch: (url, options) => fetch(url, { ...options, credentials: 'same-origin' }),
    }),
  });
}
