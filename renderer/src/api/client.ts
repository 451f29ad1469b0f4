import { createTRPCClient, httpLink, type TRPCLink } from '@trpc/client';
import type { LocalApiRouter } from '../../../electron/local-api/router.ts';
import { getBridge } from './bridge.ts';
import { ipcLink } from './ipc-link.ts';

export type Transport = 'ipc' | 'http';

/**
 * One capability, two transports, chosen once at start-up: inside Electron the preload has
 * put `window.clinicsync` in place and every call goes over IPC; otherwise the page was
 * served by the browser-mode host and calls go to the same origin at /api, authenticated
 * by the host's HttpOnly cookie.
 */
function pickLink(): { transport: Transport; link: TRPCLink<LocalApiRouter> } {
  const bridge = getBridge();
  if (bridge) return { transport: 'ipc', link: ipcLink<LocalApiRouter>(bridge) };
  return {
    transport: 'http',
    // One request per call, not batched: the batch link holds each call for a tick to
    // collect others, and search-as-you-type pays that on every keystroke. The host is on
    // loopback, so separate requests cost nothing worth saving.
    link: httpLink<LocalApiRouter>({
      url: new URL('api', window.location.origin + '/').toString(),
      fetch: (url, options) => fetch(url, { ...options, credentials: 'same-origin' }),
    }),
  };
}

const picked = pickLink();

export const transport: Transport = picked.transport;
export const api = createTRPCClient<LocalApiRouter>({ links: [picked.link] });
