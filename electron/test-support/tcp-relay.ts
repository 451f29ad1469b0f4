import { createServer, connect, type Socket } from 'node:net';

export interface TcpRelay {
  /** http://127.0.0.1:<port>: the server, as seen through the relay. */
  url: string;
  /** Connections go through to the server. */
  up(): void;
  /** The cable is pulled: new connections are reset and open ones (WebSockets too) cut. */
  down(): void;
  close(): Promise<void>;
}

export type RelayDirection = 'to_server' | 'to_client';

/**
 * A TCP relay in front of the real sync server, so a test or benchmark can take "the
 * network" away from one workstation and give it back without restarting the server (the
 * workstation sees what a dropped link looks like: connection reset, over real HTTP), and
 * optionally see every byte that passes (`tap`).
 */
export async function startTcpRelay(targetUrl: string, tap?: (direction: RelayDirection, chunk: Buffer) => void): Promise<TcpRelay> {
  const target = new URL(targetUrl);
  let isUp = true;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (!isUp) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    if (tap) {
      client.on('data', (chunk: Buffer) => tap('to_server', Buffer.from(chunk)));
      upstream.on('data', (chunk: Buffer) => tap('to_client', Buffer.from(chunk)));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the relay has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    up: () => void (isUp = true),
    down() {
      isUp = false;
      for (const socket of open) socket.resetAndDestroy();
      open.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
