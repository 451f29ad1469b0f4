import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { startFakeSyncServer } from '../test-support/fake-sync-server.ts';
import { createSyncTransport, enrollWithServer } from './transport.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups.length = 0;
});

/**
 * In front of the server: the first `drop` connections are cut as soon as a request
 * arrives (what a pooled connection lost while the network was away looks like); later
 * ones go through. Counts what reached it.
 */
async function flakyFront(targetPort: number, drop: number): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections += 1;
    sockets.add(client);
    if (connections <= drop) {
      client.once('data', () => client.resetAndDestroy());
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, connections: () => connections };
}

describe('a sync call whose connection fails before any answer', () => {
  it('is sent once more at once, and succeeds when the second connection works', async () => {
    const server = await startFakeSyncServer({});
    cleanups.push(() => server.close());
    const front = await flakyFront(Number(new URL(server.url).port), 1);
    const transport = createSyncTransport(front.url, { tenantId: uuidv7(), token: 'test-token' });
    cleanups.push(() => transport.close());
    const page = await transport.pull({ protocolVersion: 1, domain: 'master_data', cursor: '0', limit: 10 });
    expect(page.changes).toEqual([]);
    expect(front.connections()).toBe(2);
  });

  it('is reported offline when the retry fails too (no endless retrying)', async () => {
    const server = await startFakeSyncServer({});
    cleanups.push(() => server.close());
    const front = await flakyFront(Number(new URL(server.url).port), 10);
    const transport = createSyncTransport(front.url, { tenantId: uuidv7(), token: 'test-token' });
    cleanups.push(() => transport.close());
    await expect(transport.pull({ protocolVersion: 1, domain: 'master_data', cursor: '0', limit: 10 })).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(front.connections()).toBe(2);
  });

  it('is not repeated for an enrollment (its token works once)', async () => {
    const server = await startFakeSyncServer({});
    cleanups.push(() => server.close());
    const front = await flakyFront(Number(new URL(server.url).port), 1);
    await expect(enrollWithServer(front.url, { token: 'x'.repeat(43), deviceId: uuidv7(), deviceName: 'desk' } as never)).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(front.connections()).toBe(1);
  });
});
