import type { SocketAnswer, SocketCall } from '../../../electron/host/local-api-socket.ts';
import type { ClinicsyncBridge, IpcResponse } from './ipc-types.ts';

export interface SocketBridge extends ClinicsyncBridge {
  /** Calls may go over the socket now (it is open). */
  isOpen(): boolean;
}

/**
 * Browser mode's bridge to the workstation host: the same `invoke` as Electron's preload,
 * carried over one WebSocket (electron/host/local-api-socket.ts). A call is sent the moment
 * it is made — no batching tick — and answered by number. While the socket is not open the
 * caller uses HTTP instead (host-link.ts); it reconnects on its own, soon and often, since
 * the host is on loopback. A call in flight when the socket drops fails as a transport
 * error, as a dropped HTTP request would.
 */
export function socketBridge(url: string): SocketBridge {
  const waiting = new Map<number, { resolve: (answer: IpcResponse) => void; reject: (error: Error) => void }>();
  let socket: WebSocket | null = null;
  let open = false;
  let nextId = 1;
  let attempt = 0;

  const connect = () => {
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      open = true;
      attempt = 0;
    };
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return;
      const { id, answer } = JSON.parse(event.data) as SocketAnswer;
      const entry = waiting.get(id);
      if (!entry) return;
      waiting.delete(id);
      entry.resolve(answer);
    };
    ws.onclose = () => {
      open = false;
      socket = null;
      for (const entry of waiting.values()) entry.reject(new Error('The connection to the workstation closed.'));
      waiting.clear();
      setTimeout(connect, Math.min(250 * 2 ** attempt++, 5_000));
    };
  };
  connect();

  return {
    isOpen: () => open,
    invoke(call) {
      const ws = socket;
      if (!open || !ws) return Promise.reject(new Error('The connection to the workstation is not open.'));
      const id = nextId++;
      return new Promise<IpcResponse>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, call } satisfies SocketCall));
      });
    },
  };
}
