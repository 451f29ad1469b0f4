import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { SYNC_KEEP_ALIVE_MS } from '../../electron/sync/transport-dispatcher.ts';
import { createSyncTransport } from '../../electron/sync/transport.ts';
import { HTTP_KEEP_ALIVE_MS } from '../../sync-server/api/http-server.ts';
import { testEngines } from '../../sync-server/testing/engines.ts';
import { createOrg, signedIn, startTestServer, type TestServer } from '../../sync-server/testing/harness.ts';

/** A load balancer's usual idle timeout (README: the one in front of the sync server must be shorter than HTTP_KEEP_ALIVE_MS). */
const BALANCER_IDLE_MS = 60_000;

interface Balancer {
  url: string;
  /** TCP connections desks opened to it. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * The HTTP side of a load balancer in front of the sync server: it answers the desk on its
 * own connections and, as balancers do with a hop-by-hop header, does not pass on the
 * server's `Keep-Alive: timeout=65`. Without that hint, a desk's HTTP client keeps an idle
 * connection only as long as it decides itself (Node's global fetch: 4 s).
 */
async function startBalancer(targetUrl: string): Promise<Balancer> {
  const target = new URL(targetUrl);
  const upstreamAgent = new http.Agent({ keepAlive: true });
  let connections = 0;
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers, agent: upstreamAgent }, (answer) => {
      const { 'keep-alive': _hint, connection: _connection, 'transfer-encoding': _encoding, ...headers } = answer.headers;
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // No idle timeout of its own, so no Keep-Alive header of its own either (Node sends one
  // only with a timeout): how long the connection lives is the desk's choice alone.
  server.keepAliveTimeout = 0;
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: async () => {
      server.closeAllConnections();
      server.close();
      upstreamAgent.destroy();
      await once(server, 'close');
    },
  };
}

/**
 * The workstation keeps its connection to the sync server between sync calls that come
 * seconds apart (electron/sync/transport-dispatcher.ts): Node's global fetch let an idle
 * connection go after 4 s, so nearly every call paid a new TCP (and TLS) handshake to the
 * balancer. Real server, real transport; the balancer counts the desk's connections.
 */
describe('the sync transport keeps its connection between calls', () => {
  let server: TestServer;
  let balancer: Balancer;
  beforeAll(async () => {
    // The HTTP layer is the same whatever the database: the embedded engine suffices.
    server = await startTestServer(testEngines(false, '')[0]!);
    balancer = await startBalancer(server.url);
  });
  afterAll(async () => {
    await balancer?.close();
    await server?.stop();
  });

  it('lets an idle connection go before a balancer (60 s) would, which lets it go before the server (65 s)', () => {
    expect(SYNC_KEEP_ALIVE_MS).toBeLessThan(BALANCER_IDLE_MS);
    expect(BALANCER_IDLE_MS).toBeLessThan(HTTP_KEEP_ALIVE_MS);
  });

  it('two pulls 6 s apart (longer than the global fetch’s 4 s) go over one TCP connection', async () => {
    const code = `ka-${uuidv7().slice(-6)}`;
    // Signed in beside the balancer: only the transport's own calls pass through it.
    const { session } = await signedIn(server, { code, ...(await createOrg(server, code)) });
    const before = balancer.connections();
    const transport = createSyncTransport(balancer.url, { tenantId: session.tenantId, token: session.token });
    try {
      const pull = () => transport.pull({ protocolVersion: PROTOCOL_VERSION, domain: 'master_data', cursor: '0', limit: 1 });
      await pull();
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect((await pull()).cursor).toEqual(expect.any(String));
      expect(balancer.connections() - before).toBe(1);
    } finally {
      await transport.close();
    }
  }, 30_000);
});
