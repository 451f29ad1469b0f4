import type { AnyTRPCRouter } from '@trpc/server';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { resolveLocalCall } from '../local-api/resolve-call.ts';
import { isAppUrl } from './app-origin.ts';
import { IPC_CHANNEL, type IpcResponse } from './ipc-protocol.ts';

/**
 * Only our own renderer's MAIN frame, loaded from exactly app://renderer, may talk to the
 * local API. Sub-frames are refused even on our origin: the UI has none, the preload does not
 * run in them (nodeIntegrationInSubFrames is off), so a sub-frame that reaches the channel is
 * by definition something we did not build. `parent === null` is Electron's main-frame test;
 * a frame without the field (or a vanished frame) fails closed.
 */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  if (!frame) return false; // frame navigated away or destroyed
  return frame.parent === null && isAppUrl(frame.url);
}

const refused = (message: string): IpcResponse => ({ ok: false, error: { appCode: 'FORBIDDEN', message } });

/**
 * The tRPC-over-IPC handler on the ONE channel. The sender frame is checked on every
 * call (not once per window): a frame that navigated elsewhere loses access at once.
 */
export function registerLocalApiIpc<TRouter extends AnyTRPCRouter>(options: {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  router: TRouter;
  createContext: () => unknown;
}): () => void {
  const { ipcMain, router, createContext } = options;
  ipcMain.handle(IPC_CHANNEL, async (event: IpcMainInvokeEvent, request: unknown): Promise<IpcResponse> => {
    if (!isTrustedSender(event)) return refused('This window may not use the workstation API.');
    return resolveLocalCall(router, createContext, request);
  });
  return () => ipcMain.removeHandler(IPC_CHANNEL);
}
