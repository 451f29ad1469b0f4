import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';

export interface TlsFront {
  /** https://localhost:<port>: the sync server as the workstation must reach it. */
  url: string;
  /** Request lines seen inside TLS (`POST /trpc/devices.enroll`, `GET /trpc?… (upgrade)`…). */
  requests: string[];
  /** TLS connections that completed their handshake, and handshakes the client refused. */
  connections: number;
  refusedHandshakes: number;
  close(): Promise<void>;
}

/**
 * A real HTTPS (and WSS) entrance to a plain-HTTP sync server: TLS terminated here with a
 * certificate from a throwaway CA, the bytes relayed to the server, each request line noted.
 */
export async function startTlsFront(targetUrl: string, credentials: { key: string; cert: string }): Promise<TlsFront> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const front: Omit<TlsFront, 'url' | 'close'> = { requests: [], connections: 0, refusedHandshakes: 0 };
  const server = tls.createServer(credentials, (client) => {
    front.connections++;
    const upstream = net.connect(Number(target.port), target.hostname);
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/(GET|POST) (\S+) HTTP\/1\.1[\s\S]*?\r\n\r\n/g)) {
        front.requests.push(`${m[1]} ${m[2]}${/\r\nupgrade: websocket/i.test(m[0]) ? ' (upgrade)' : ''}`);
      }
    });
    client.pipe(upstream);
    upstream.pipe(client);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (client.destroy(), upstream.destroy()));
    }
  });
  server.on('tlsClientError', () => front.refusedHandshakes++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return Object.assign(front, {
    url: `https://localhost:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  });
}
