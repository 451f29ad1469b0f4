import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A plain TCP relay in front of the sync server, so one desk can lose its connection
 * (every socket cut, the port closed) and get it back on the same address, while the
 * server and the other desks carry on. HTTP and the poke WebSocket both pass through.
 */
export interface OfflineProxy {
  url: string;
  /** Cuts every open connection and stops accepting (the desk sees ECONNREFUSED). */
  goOffline(): Promise<void>;
  /** Listens again on the same port. */
  goOnline(): Promise<void>;
  close(): Promise<void>;
}

export async function startOfflineProxy(targetPort: number): Promise<OfflineProxy> {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        const address = next.address();
        if (address && typeof address === 'object') port = address.port;
        server = next;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      const current = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (current) current.close(() => resolve());
      else resolve();
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, goOffline: stop, goOnline: listen, close: stop };
}
