import { callTRPCProcedure, getTRPCErrorFromUnknown, type AnyTRPCRouter } from '@trpc/server';
import { z } from 'zod';
import type { IpcRequest, IpcResponse } from '../main/ipc-protocol.ts';
import { describeError } from './errors.ts';

const requestSchema = z.object({
  path: z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*){0,4}$/),
  type: z.enum(['query', 'mutation']),
  // Optional: JSON (the browser-mode socket) drops an undefined input's key; IPC keeps it.
  input: z.unknown().optional(),
});

/**
 * Resolves one `{ path, type, input }` against the local API router with tRPC's server-side
 * call: the one call protocol of both desk transports that carry single calls — Electron's
 * IPC channel (electron/main/ipc.ts) and browser mode's WebSocket (electron/host/local-api-socket.ts).
 * Every failure becomes `{ ok: false, error: { appCode, message } }` as the HTTP API words it.
 */
export async function resolveLocalCall<TRouter extends AnyTRPCRouter>(router: TRouter, createContext: () => unknown, raw: unknown): Promise<IpcResponse> {
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, error: { appCode: 'VALIDATION', message: 'The request could not be read.' } };
  const request: IpcRequest = { ...parsed.data, input: parsed.data.input };
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
