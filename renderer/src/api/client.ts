import { createTRPCClient, type TRPCLink } from '@trpc/client';
import type { LocalApiRouter } from '../../../electron/local-api/router.ts';
import { getBridge } from './bridge.ts';
import { hostLink } from './host-link.ts';
import { ipcLink } from './ipc-link.ts';

export type Transport = 'ipc' | 'http';

/**
 * One capability, two transports, chosen once at start-up: inside Electron the preload has
 * put `window.clinicsync` in place and every call goes over IPC; otherwise the page was
 * served by the browser-mode host and calls go to the same origin (host-link.ts),
 * authenticated by the host's HttpOnly cookie.
 */
function pickLink(): { transport: Transport; link: TRPCLink<LocalApiRouter> } {
  const bridge = getBridge();
  if (bridge) return { transport: 'ipc', link: ipcLink<LocalApiRouter>(bridge) };
  return { transport: 'http', link: hostLink(window.location.origin) };
}

const picked = pickLink();

export const transport: Transport = picked.transport;
export const api = createTRPCClient<LocalApiRouter>({ links: [picked.link] });
