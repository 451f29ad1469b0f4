import { TRPCClientError, type TRPCLink } from '@trpc/client';
import type { AnyRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';
import { HTTP_STATUS, isErrorCode } from '../../../shared/errors.ts';
import type { ClinicsyncBridge, IpcResponse } from './ipc-types.ts';

/**
 * A terminating tRPC link that sends each operation over a bridge: the preload's single IPC
 * channel in Electron, or browser mode's WebSocket to the host (socket-bridge.ts), which
 * speaks the same call protocol. The main process (or the host) answers with a plain `{ ok, data | error }` value (structured clone, so
 * no transformer); errors are rebuilt into a TRPCClientError whose `data.appCode` matches
 * what the HTTP link yields in browser mode, so the UI handles both transports alike.
 */
export function ipcLink<TRouter extends AnyRouter>(bridge: ClinicsyncBridge): TRPCLink<TRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        if (op.type === 'subscription') {
          observer.error(toClientError({ ok: false, error: { appCode: 'INTERNAL', message: 'Subscriptions are not available over IPC.' } }));
          return () => {};
        }
        let done = false;
        bridge
          .invoke({ path: op.path, type: op.type, input: op.input })
          .then((response) => {
            if (done) return;
            if (response.ok) {
              observer.next({ result: { type: 'data', data: response.data } });
              observer.complete();
            } else {
              observer.error(toClientError(response));
            }
          })
          .catch((cause: unknown) => {
            if (done) return;
            observer.error(TRPCClientError.from(cause instanceof Error ? cause : new Error('The workstation did not answer.')));
          });
        return () => {
          done = true;
        };
      });
}

function toClientError<TRouter extends AnyRouter>(response: Extract<IpcResponse, { ok: false }>): TRPCClientError<TRouter> {
  const appCode = isErrorCode(response.error.appCode) ? response.error.appCode : 'INTERNAL';
  return TRPCClientError.from<TRouter>({
    error: {
      // JSON-RPC style numeric code is required by the error-response shape; the UI only
      // reads data.appCode.
      code: -32000,
      message: response.error.message,
      data: { appCode, httpStatus: HTTP_STATUS[appCode], path: undefined },
    },
  });
}
