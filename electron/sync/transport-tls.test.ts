import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { applyNetworkPolicy } from '../policy/apply-network.ts';
import { createThrowawayCa, issueServerCertificate, selfSignedServer, type ThrowawayCa } from '../policy/testing/throwaway-ca.ts';
import { OFFLINE_MESSAGE } from './transport-errors.ts';
import { logTlsFailuresTo, reportTlsFailure, TLS_LOG_INTERVAL_MS, tlsFailureCode } from './transport-tls.ts';
import { signInToServer } from './transport.ts';

/**
 * A certificate problem between the desk and the sync server: real HTTPS servers with
 * certificates from a throwaway CA that this process does not trust (unless the test adds
 * it, as the machine policy's extraCaCertificates would), reached through the real transport.
 */
describe('TLS failures of sync calls', () => {
  let ca: ThrowawayCa;
  const servers: Server[] = [];
  const lines: { event: string; fields: Record<string, string> }[] = [];
  const PASSWORD = 'correct horse battery staple';

  beforeAll(() => {
    ca = createThrowawayCa();
  });
  afterEach(async () => {
    logTlsFailuresTo(null);
    lines.length = 0;
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    }
  });
  afterAll(() => ca.remove());

  async function serve(credentials: { key: string; cert: string }, host = '127.0.0.1'): Promise<{ port: number; requests: () => number }> {
    let requests = 0;
    const server = createServer(credentials, (_request, response) => {
      requests++;
      response.writeHead(404).end();
    });
    servers.push(server);
    server.listen(0, host);
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, requests: () => requests };
  }

  /** A sign-in through the real transport: the error the desk gets. */
  async function signIn(url: string): Promise<AppError> {
    logTlsFailuresTo((event, fields) => lines.push({ event, fields }));
    const input = { protocolVersion: PROTOCOL_VERSION, org: 'northside', username: 'frontdesk', password: PASSWORD, deviceId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b' };
    const error = await signInToServer(url, input).then(
      () => new Error('expected the sign-in to fail'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }

  it('a certificate from an untrusted CA: the desk reads "cannot be reached", the log has UNABLE_TO_VERIFY_LEAF_SIGNATURE and a hint, once', async () => {
    const { port, requests } = await serve(ca.server);
    const url = `https://localhost:${port}/`;
    const error = await signIn(url);
    expect({ code: error.code, message: error.message }).toEqual({ code: 'OFFLINE', message: OFFLINE_MESSAGE });
    expect(requests()).toBe(0); // refused at the handshake: nothing (no password) was sent
    // The transport tried twice (a lost pooled connection is retried once); the code is logged once.
    expect(lines).toEqual([{ event: 'sync_tls_failed', fields: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', hint: expect.stringContaining('extraCaCertificates') } }]);
    const logged = JSON.stringify(lines);
    for (const secret of [String(port), 'localhost', PASSWORD, 'frontdesk', 'northside']) expect(logged).not.toContain(secret);
  });

  it('a self-signed server certificate: DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const { port } = await serve(selfSignedServer(ca));
    expect((await signIn(`https://localhost:${port}/`)).code).toBe('OFFLINE');
    expect(lines.map((l) => l.fields['code'])).toEqual(['DEPTH_ZERO_SELF_SIGNED_CERT']);
  });

  it('with the CA trusted (as the policy would): an expired certificate is CERT_HAS_EXPIRED, a name it does not carry ERR_TLS_CERT_ALTNAME_INVALID, a good one connects', async () => {
    const undo = applyNetworkPolicy({ extraCaCertificates: [ca.caPem] });
    try {
      const expired = await serve(issueServerCertificate(ca, { expired: true }));
      expect((await signIn(`https://localhost:${expired.port}/`)).code).toBe('OFFLINE');
      // 127.0.0.2 is loopback too, but the certificate names only localhost and 127.0.0.1.
      const elsewhere = await serve(ca.server, '127.0.0.2');
      expect((await signIn(`https://127.0.0.2:${elsewhere.port}/`)).code).toBe('OFFLINE');
      expect(lines.map((l) => [l.fields['code'], l.fields['hint']])).toEqual([
        ['CERT_HAS_EXPIRED', expect.stringContaining('validity dates')],
        ['ERR_TLS_CERT_ALTNAME_INVALID', expect.stringContaining('does not name the host')],
      ]);

      lines.length = 0;
      const good = await serve(ca.server);
      await signIn(`https://localhost:${good.port}/`);
      expect(good.requests()).toBeGreaterThan(0); // the handshake passed; the answer was this test server's 404
      expect(lines).toEqual([]);
    } finally {
      undo();
    }
  });

  it('a failure that is not about TLS (nothing listening) logs nothing', async () => {
    const { port } = await serve(ca.server);
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    expect((await signIn(`https://localhost:${port}/`)).code).toBe('OFFLINE');
    expect(lines).toEqual([]);
  });

  it('finds the code through causes and aggregate errors, ignores codes outside the TLS vocabulary, and logs each code at most every 10 minutes', () => {
    const tls = Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' });
    expect(tlsFailureCode(new Error('fetch failed', { cause: tls }))).toBe('CERT_HAS_EXPIRED');
    expect(tlsFailureCode(new Error('a', { cause: new AggregateError([Object.assign(new Error(), { code: 'ECONNREFUSED' }), tls]) }))).toBe('CERT_HAS_EXPIRED');
    expect(tlsFailureCode(Object.assign(new Error(), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }))).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
    expect(tlsFailureCode(Object.assign(new Error(), { code: 'ECONNRESET' }))).toBeUndefined();
    expect(tlsFailureCode(Object.assign(new Error(), { code: 'https://user:token@host/' }))).toBeUndefined();

    logTlsFailuresTo((event, fields) => lines.push({ event, fields }));
    reportTlsFailure(tls, 1_000);
    reportTlsFailure(tls, 1_000 + TLS_LOG_INTERVAL_MS - 1);
    reportTlsFailure(Object.assign(new Error(), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 2_000);
    reportTlsFailure(tls, 1_000 + TLS_LOG_INTERVAL_MS);
    expect(lines.map((l) => l.fields['code'])).toEqual(['CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED']);
  });
});
