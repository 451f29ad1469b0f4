import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { testEngines } from '../testing/engines.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { HTTP_KEEP_ALIVE_MS } from './http-server.ts';

/**
 * An idle connection outlives Node's 5 s default (http-server.ts, HTTP_KEEP_ALIVE_MS: a load
 * balancer keeping idle connections for 60 s must not have them closed under it). Two
 * requests on one raw TCP connection, 6 s apart: the second is answered on the same socket.
 */
describe('HTTP keep-alive', () => {
  let server: TestServer;
  beforeAll(async () => {
    // The HTTP layer is the same whatever the database: the embedded engine suffices.
    server = await startTestServer(testEngines(false, '')[0]!);
  });
  afterAll(() => server?.stop());

  it('keeps an idle connection open past 5 s and says so in its Keep-Alive header', async () => {
    expect(HTTP_KEEP_ALIVE_MS).toBeGreaterThan(60_000);
    const { port, hostname } = new URL(server.url);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(port), hostname, () => resolve(s));
      s.once('error', reject);
    });
    let closed = false;
    socket.on('close', () => (closed = true));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    const request = `GET ${SYNC_API_PATH}/health HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`;
    const answered = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (received.split('HTTP/1.1 200').length - 1 < count) {
        if (Date.now() > deadline || closed) throw new Error(`no answer ${count} (closed: ${closed})`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      socket.write(request);
      await answered(1);
      expect(received).toMatch(/keep-alive: timeout=65/i);
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(closed).toBe(false);
      socket.write(request);
      await answered(2);
    } finally {
      socket.destroy();
    }
  }, 20_000);
});
