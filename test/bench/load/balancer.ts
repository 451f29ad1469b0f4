import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A tiny round-robin TCP balancer for the two-process figure: each incoming connection
 * (an HTTP keep-alive connection or a WebSocket) goes to the next backend in turn and is
 * piped both ways, as an L4 load balancer in front of stateless replicas would do.
 */
export interface Balancer {
  url: string;
  /** Connections handed to each backend so far, in backend order. */
  connectionsPerBackend(): number[];
  close(): Promise<void>;
}

export async function startBalancer(backendUrls: readonly string[]): Promise<Balancer> {
  if (backendUrls.length === 0) throw new Error('load bench: a balancer needs at least one backend');
  const backends = backendUrls.map((url) => new URL(url));
  const counts = backends.map(() => 0);
  const sockets = new Set<Socket>();
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const index = next++ % backends.length;
    counts[index]! += 1;
    const backend = backends[index]!;
    const upstream = createConnection({ host: backend.hostname, port: Number(backend.port) });
    track(client);
    track(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // Either side failing or ending ends the pair; the client then sees its connection drop.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('load bench: the balancer has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connectionsPerBackend: () => [...counts],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
