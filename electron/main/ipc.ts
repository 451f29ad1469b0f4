import { callTRPCProcedure, getTRPCErrorFromUnknown, type AnyTRPCRouter } from '@trpc/server';
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import { describeError } from '../local-api/errors.ts';
import { isAppUrl } from './app-origin.ts';
import { IPC_CHANNEL, type IpcRequest, type IpcResponse } from './ipc-protocol.ts';

const requestSchema = z.object({
  path: z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*){0,4}$/),
  type: z.enum(['query', 'mutation']),
  input: z.unknown(),
});

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

/** Resolves one `{ path, type, input }` against the router with tRPC's server-side call. */
export async function resolveIpcRequest<TRouter extends AnyTRPCRouter>(
  router: TRouter,
  createContext: () => unknown,
  raw: unknown,
): Promise<IpcResponse> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: { appCode: 'VALIDATION', message: 'The request could not be read.' } };
  const request: IpcRequest = parsed.data;
  try {
    const data: unknown = await callTRPCProcedure({
      router,
      path: request.path,
      type: request.type,
      ctx: createContext(),
      getRawInput: async () => request.input,
      signal: undefined,
      batchIndex: 0,
    });
    return { ok: true, data };
  } catch (cause) {
    const view = describeError(getTRPCErrorFromUnknown(cause));
    return { ok: false, error: { appCode: view.code, message: view.message } };
  }
}

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
    return resolveIpcRequest(router, createContext, request);
  });
  return () => ipcMain.removeHandler(IPC_CHANNEL);
}
