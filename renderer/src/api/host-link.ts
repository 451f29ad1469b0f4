import { httpLink, splitLink, type TRPCLink } from '@trpc/client';
import type { LocalApiRouter } from '../../../electron/local-api/router.ts';
import { LOCAL_API_SOCKET_PATH } from '../../../shared/local-api-socket.ts';
import { ipcLink } from './ipc-link.ts';
import { socketBridge } from './socket-bridge.ts';

/**
 * Browser mode's link to the workstation host: every call goes over one WebSocket while it is
 * open (the IPC channel's call protocol, socket-bridge.ts: a message on a live connection,
 * sent at once — search-as-you-type pays the transport on each keystroke), and over plain
 * HTTP to /api otherwise — before the socket has opened, while it reconnects, or when the
 * host refuses it (a lost launch session), where HTTP's 401/403 lets the page say why.
 * Calls are never batched: the batch link holds each call for a tick.
 */
export function hostLink(origin: string): TRPCLink<LocalApiRouter> {
  const bridge = socketBridge(new URL(LOCAL_API_SOCKET_PATH, origin.replace(/^http/, 'ws')).toString());
  return splitLink<LocalApiRouter>({
    condition: () => bridge.isOpen(),
    true: ipcLink<LocalApiRouter>(bridge),
    false: httpLink<LocalApiRouter>({
      url: new URL('api', `${origin}/`).toString(),
      fetch: (url, options) => fetch(url, { ...options, credentials: 'same-origin' }),
    }),
  });
}
