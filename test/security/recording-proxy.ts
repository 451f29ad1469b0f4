import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP pass-through between the workstation host and the sync server that keeps a copy of
 * the bytes, so a test can learn the session tokens the server issued (they exist only in
 * the host's memory and on the wire) and then look for them everywhere else.
 */
export interface RecordingProxy {
  url: string;
  /** Every bearer token the host sent and every token the server answered a sign-in with. */
  sessionTokens(): string[];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: URL): Promise<RecordingProxy> {
  const toServer: Buffer[] = [];
  const toHost: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      toServer.push(Buffer.from(chunk));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      toHost.push(Buffer.from(chunk));
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sessionTokens() {
      const sent = Buffer.concat(toServer).toString('latin1');
      const answered = Buffer.concat(toHost).toString('latin1');
      const tokens = new Set<string>();
      for (const match of sent.matchAll(/authorization:\s*Bearer\s+([^\s]+)/gi)) tokens.add(match[1]!);
      for (const match of answered.matchAll(/"token"\s*:\s*"([^"]+)"/g)) tokens.add(match[1]!);
      return [...tokens];
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
