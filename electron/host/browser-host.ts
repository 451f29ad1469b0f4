import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { HTTP_STATUS } from '../../shared/errors.ts';
import { describeError } from '../local-api/errors.ts';
import type { Workstation } from '../workstation.ts';
import { allowedHosts, isSameOriginRequest, randomToken, readCookie, sameToken, SECURITY_HEADERS, SESSION_COOKIE, sessionCookie } from './security.ts';
import { createLocalApiSocket } from './local-api-socket.ts';
import { serveStatic } from './static-files.ts';

export interface BrowserHostOptions {
  workstation: Workstation;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer, e.g. dist/renderer. */
  rendererDir: string;
}

export interface BrowserHost {
  /** Open this once: it carries the one-time launch token. */
  url: string;
  origin: string;
  close(): Promise<void>;
}

const API_PREFIX = '/api/';

/**
 * Serves the renderer and the local API on loopback for browser mode. The API holds PHI,
 * so: bound to 127.0.0.1 only, Host header pinned (DNS rebinding), a one-time launch
 * token traded for an HttpOnly SameSite=Strict cookie, the cookie required on every API
 * call, and a same-origin Origin required on every state-changing one. The page's calls go
 * over one WebSocket (local-api-socket.ts, held to the same rules) once it is open, and over
 * HTTP until then.
 */
export async function startBrowserHost({ workstation, port = 0, rendererDir }: BrowserHostOptions): Promise<BrowserHost> {
  let launchToken: string | null = randomToken();
  const sessions = new Set<string>();
  let hosts = new Set<string>();

  const api = createHTTPHandler({
    router: workstation.router,
    basePath: API_PREFIX,
    maxBodySize: 1024 * 1024,
    createContext: () => workstation.createContext(),
    // The status of shared/errors.ts when every call of the batch failed alike.
    responseMeta: ({ errors, data }) => {
      const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
      if (errors.length === 0 || errors.length !== data.length) return { headers };
      const statuses = new Set(errors.map((error) => HTTP_STATUS[describeError(error).code]));
      return statuses.size === 1 ? { status: [...statuses][0]!, headers } : { headers };
    },
  });

  const refuse = (res: http.ServerResponse, status: number, text: string) =>
    void res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(text);

  /**
   * An API refusal in tRPC's error shape, so the page's client reads its app code and message
   * (a plain-text body would reach it only as "could not parse the response").
   */
  const refuseApi = (res: http.ServerResponse, status: number, appCode: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string) =>
    void res
      .writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ error: { message, code: -32001, data: { appCode, httpStatus: status } } }));

  const hasLiveSession = (req: http.IncomingMessage) => {
    const session = readCookie(req, SESSION_COOKIE);
    return session !== undefined && sessions.has(session);
  };

  const server = http.createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!hosts.has(host)) return refuse(res, 421, 'Unknown host.');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const hasSession = hasLiveSession(req);

    const offered = url.searchParams.get('launch');
    if (offered !== null) {
      if (launchToken !== null && sameToken(offered, launchToken)) {
        launchToken = null; // one use only
        const id = randomToken();
        sessions.add(id);
        return void res.writeHead(303, { ...SECURITY_HEADERS, 'set-cookie': sessionCookie(id), location: '/', 'cache-control': 'no-store' }).end();
      }
      if (hasSession) return void res.writeHead(303, { ...SECURITY_HEADERS, location: '/' }).end();
      return refuse(res, 403, 'This launch link is no longer valid. Restart the workstation host to get a new one.');
    }

    if (url.pathname === '/api' || url.pathname.startsWith(API_PREFIX)) {
      if (!hasSession) return refuseApi(res, 401, 'UNAUTHENTICATED', 'This window is not connected to the workstation. Open the launch link the workstation host printed.');
      if (!isSameOriginRequest(req, host)) return refuseApi(res, 403, 'FORBIDDEN', 'Cross-origin requests are refused.');
      if (req.method !== 'GET' && req.method !== 'POST') return refuse(res, 405, 'Method not allowed.');
      return api(req, res);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'Method not allowed.');
    serveStatic(rendererDir, url.pathname, res, req.method);
  });

  const socket = createLocalApiSocket(workstation, { hostOk: (host) => hosts.has(host), sessionOk: hasLiveSession });
  server.on('upgrade', socket.handleUpgrade);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  hosts = allowedHosts(actualPort);
  const origin = `http://127.0.0.1:${actualPort}`;
  return {
    url: `${origin}/?launch=${launchToken}`,
    origin,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      socket.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
