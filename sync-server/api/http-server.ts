import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { SYNC_API_PATH, SYNC_HTTP_MAX_BODY_BYTES, SYNC_WS_MAX_MESSAGE_BYTES } from '../../shared/sync/procedures.ts';
import { errorCodeOf } from '../log.ts';
import { requestIdOfError } from '../observability/call-observer.ts';
import type { Observability } from '../observability/observability.ts';
import { REQUEST_ID_HEADER, requestIdOf } from '../observability/request-id.ts';
import { inRequestScope } from '../observability/request-scope.ts';
import type { Services } from '../services.ts';
import type { TrustedProxies } from '../auth/trusted-proxies.ts';
import { httpContext, wsContext, type RequestContext } from './context.ts';
import { describeError } from './error-mapping.ts';
import { syncServerRouter } from './router.ts';

/**
 * How long an idle HTTP connection is kept open. Node's default is 5 s; behind a load
 * balancer that keeps idle connections for 60 s (a common default), the server would close
 * connections the balancer still counts as open, and a request the balancer sends on one
 * just as it closes fails (a 502 at the balancer, a failed sync call at the desk). The
 * balancer must be the side that closes idle connections, so the server waits longer. The
 * header timeout stays above it (a request's headers must arrive within it, on an idle
 * connection too).
 */
export const HTTP_KEEP_ALIVE_MS = 65_000;
const HTTP_HEADERS_TIMEOUT_MS = HTTP_KEEP_ALIVE_MS + 1_000;

export interface RunningHttp {
  port: number;
  close(): Promise<void>;
}

/**
 * HTTP batch and WebSocket on one port, both at SYNC_API_PATH. Every request and WebSocket
 * upgrade gets a request id (a well-formed `x-request-id` from the load balancer, or a new
 * one), echoed in the response's `x-request-id` header; the metrics endpoint is NOT here
 * (observability/metrics-server.ts listens on its own, private address).
 */
export async function startHttp(services: Services, host: string, port: number, observability: Observability, proxies: TrustedProxies | null): Promise<RunningHttp> {
  const onError = ({ error, path, ctx }: { error: TRPCError; path?: string | undefined; ctx?: RequestContext | undefined }) => {
    if (describeError(error).code === 'INTERNAL') {
      services.log({ level: 'error', event: 'internal_error', path: path ?? null, error: errorCodeOf(error.cause ?? error), ...requestIdOfError(error, ctx?.observed) });
    }
  };
  const handler = createHTTPHandler({
    router: syncServerRouter,
    basePath: `${SYNC_API_PATH}/`,
    // Read as it arrives and refused once past the limit (PAYLOAD_TOO_LARGE): an unbounded
    // body would otherwise be buffered whole before its input was even checked.
    maxBodySize: SYNC_HTTP_MAX_BODY_BYTES,
    createContext: httpContext(services, observability, proxies),
    onError,
    // The exact status of shared/errors.ts, when every call of the request failed alike.
    responseMeta: ({ errors, data }) => {
      if (errors.length === 0 || errors.length !== data.length) return {};
      const described = errors.map((error) => describeError(error));
      const statuses = new Set(described.map((error) => error.httpStatus));
      if (statuses.size !== 1) return {};
      // A 429 says when to come back, in whole seconds (the exact ms are in error.data.retryAfterMs).
      const waits = described.flatMap((error) => (error.retryAfterMs === undefined ? [] : [error.retryAfterMs]));
      const headers = waits.length > 0 ? { 'retry-after': String(Math.ceil(Math.max(...waits) / 1000)) } : undefined;
      return { status: [...statuses][0]!, ...(headers ? { headers } : {}) };
    },
  });
  const server = http.createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (pathOf(req.url).startsWith(`${SYNC_API_PATH}/`)) return inRequestScope(requestId, () => handler(req, res));
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
  });

  server.keepAliveTimeout = HTTP_KEEP_ALIVE_MS;
  server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;

  const wss = new WebSocketServer({ noServer: true, maxPayload: SYNC_WS_MAX_MESSAGE_BYTES });
  // The connection's id in the upgrade answer; each call on it is numbered under it (`<id>.<n>`).
  wss.on('headers', (headers, req) => headers.push(`${REQUEST_ID_HEADER}: ${requestIdOf(req)}`));
  observability.countWebSockets(() => wss.clients.size);
  server.on('upgrade', (req, socket, head) => {
    if (pathOf(req.url) !== SYNC_API_PATH) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  const wsHandler = applyWSSHandler({
    wss,
    router: syncServerRouter,
    createContext: wsContext(services, observability, proxies),
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
