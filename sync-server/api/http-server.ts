import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { errorCodeOf } from '../log.ts';
import type { Services } from '../services.ts';
import { httpContext, wsContext } from './context.ts';
import { describeError } from './error-mapping.ts';
import { syncServerRouter } from './router.ts';

export interface RunningHttp {
  port: number;
  close(): Promise<void>;
}

/** HTTP batch and WebSocket on one port, both at SYNC_API_PATH. */
export async function startHttp(services: Services, host: string, port: number): Promise<RunningHttp> {
  const onError = ({ error, path }: { error: TRPCError; path?: string | undefined }) => {
    if (describeError(error).code === 'INTERNAL') {
      services.log({ level: 'error', event: 'internal_error', path: path ?? null, error: errorCodeOf(error.cause ?? error) });
    }
  };
  const handler = createHTTPHandler({
    router: syncServerRouter,
    basePath: `${SYNC_API_PATH}/`,
    createContext: httpContext(services),
    onError,
    // The exact status of shared/errors.ts, when every call of the request failed alike.
    responseMeta: ({ errors, data }) => {
      if (errors.length === 0 || errors.length !== data.length) return {};
      const statuses = new Set(errors.map((error) => describeError(error).httpStatus));
      return statuses.size === 1 ? { status: [...statuses][0]! } : {};
    },
  });
  const server = http.createServer((req, res) => {
    if (pathOf(req.url).startsWith(`${SYNC_API_PATH}/`)) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (pathOf(req.url) !== SYNC_API_PATH) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const wsHandler = applyWSSHandler({
    wss,
    router: syncServerRouter,
    createContext: wsContext(services),
    onError,
    keepAlive: { enabled: true, pingMs: 30_000, pongWaitMs: 5_000 },
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      wsHandler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function pathOf(url: string | undefined): string {
  return new URL(url ?? '/', 'http://localhost').pathname;
}
