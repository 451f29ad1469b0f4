import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { LOCAL_API_SOCKET_PATH } from '../../shared/local-api-socket.ts';
import { resolveLocalCall } from '../local-api/resolve-call.ts';
import type { IpcRequest, IpcResponse } from '../main/ipc-protocol.ts';
import type { Workstation } from '../workstation.ts';

/**
 * The socket's frames: the IPC channel's call and answer (electron/main/ipc-protocol.ts),
 * numbered so answers may come back in any order. JSON text frames only.
 */
export type SocketCall = { id: number; call: IpcRequest };
export type SocketAnswer = { id: number; answer: IpcResponse };

/** The same 1 MiB bound as an API request body over HTTP. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/** Close code for a frame that is not a call (RFC 6455: 1008 policy violation). */
const UNREADABLE = 1008;

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
 * The browser-mode local API over one WebSocket, speaking the Electron IPC channel's call
 * protocol (one call, one answer; resolved by the same resolveLocalCall). Why: a keystroke's
 * search then costs one message on an open connection, sent the moment the page asks,
 * instead of a new HTTP request through the browser's network stack (8–19 ms of a 30 ms
 * budget on a 2-core desk) or tRPC's WebSocket client, which holds every call for a timer
 * tick that a busy page runs only after its next frame.
 *
 * The upgrade is held to the HTTP API's rules: our Host only, a live launch-session cookie,
 * and the page's own Origin — a browser always sends Origin on a WebSocket handshake, and
 * the same-origin policy does not protect WebSockets, so this check is what stops another
 * site's page from riding the cookie (cross-site WebSocket hijacking).
 */
export function createLocalApiSocket(workstation: Workstation, check: UpgradeCheck): LocalApiSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('connection', (client: WebSocket) => client.on('message', (data, isBinary) => answer(client, data, isBinary)));

  const answer = (client: WebSocket, data: RawData, isBinary: boolean) => {
    const frame = isBinary ? undefined : readCall(data.toString());
    if (!frame) return client.close(UNREADABLE, 'The message could not be read.');
    void resolveLocalCall(workstation.router, () => workstation.createContext(), frame.call).then((reply) => {
      if (client.readyState === client.OPEN) client.send(JSON.stringify({ id: frame.id, answer: reply } satisfies SocketAnswer));
    });
  };

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

/** A numbered call, or undefined for anything else (the call itself is checked by resolveLocalCall). */
function readCall(text: string): SocketCall | undefined {
  try {
    const frame = JSON.parse(text) as Partial<SocketCall> | null;
    return frame !== null && typeof frame === 'object' && Number.isSafeInteger(frame.id) ? (frame as SocketCall) : undefined;
  } catch {
    return undefined;
  }
}
