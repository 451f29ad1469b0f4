import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { bearerToken } from '../auth/session-token.ts';
import { errorCodeOf, type Logger } from '../log.ts';

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * GET /metrics in Prometheus' text format, on a listener of its own: never on the API port,
 * which a load balancer exposes (and would spread a scrape over the processes behind it).
 * By default it binds 127.0.0.1; on any other address a bearer token is required (config.ts
 * refuses to start without one), and with a token every scrape must carry it.
 */
export async function startMetricsServer(registry: Registry, listen: { host: string; port: number; token?: string }, log: Logger): Promise<MetricsServer> {
  const expected = listen.token === undefined ? null : digest(listen.token);
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics') return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method not allowed');
    if (expected && !tokenMatches(bearerToken(headerOf(req.headers.authorization)), expected)) {
      return void res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' }).end('A bearer token is required.');
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        log({ level: 'error', event: 'metrics_failed', error: errorCodeOf(error) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Metrics could not be collected.');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}/metrics`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Compared as fixed-length digests, so neither the length nor a prefix of the token leaks through timing. */
function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

function tokenMatches(presented: string | null | undefined, expected: Buffer): boolean {
  return typeof presented === 'string' && timingSafeEqual(digest(presented), expected);
}
