import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { LOCAL_API_SOCKET_PATH } from '../../shared/local-api-socket.ts';
import type { Workstation } from '../workstation.ts';

/** The same 1 MiB bound as an API request body over HTTP. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface UpgradeCheck {
  /** The Host header is one of ours (DNS rebinding). */
  hostOk(host: string): boolean;
  /** The request carries a live launch-session cookie. */
  sessionOk(req: IncomingMessage): boolean;
}

export interface LocalApiSocket {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

/**
 * The browser-mode local API over one WebSocket, so a keystroke's search costs a message on
 * an open connection instead of a new HTTP request through the browser's network stack (on
 * a 2-core desk that request alone was 8–19 ms of a 30 ms budget). The upgrade is held to
 * the HTTP API's rules: our Host only, a live launch-session cookie, and the page's own
 * Origin — a browser always sends Origin on a WebSocket handshake, and the same-origin
 * policy does not protect WebSockets, so this check is what stops another site's page from
 * riding the cookie (cross-site WebSocket hijacking).
 */
export function createLocalApiSocket(workstation: Workstation, check: UpgradeCheck): LocalApiSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  applyWSSHandler({ wss, router: workstation.router, createContext: () => workstation.createContext() });

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  };

  return {
    handleUpgrade(req, socket, head) {
      const host = req.headers.host ?? '';
      if (!check.hostOk(host)) return refuse(socket, 421, 'Misdirected Request');
      const path = new URL(req.url ?? '/', `http://${host}`).pathname;
      if (path !== LOCAL_API_SOCKET_PATH) return refuse(socket, 404, 'Not Found');
      if (!check.sessionOk(req)) return refuse(socket, 401, 'Unauthorized');
      if (req.headers.origin !== `http://${host}`) return refuse(socket, 403, 'Forbidden');
      wss.handleUpgrade(req, socket, head, (client) => wss.emit('connection', client, req));
    },
    close() {
      // Upgraded sockets are no longer the HTTP server's: end them here or its close waits.
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
