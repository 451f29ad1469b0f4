import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNC_API_PATH } from '../../shared/sync/procedures.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { callRaw } from '../../test/support/attack-calls.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import type { LogEvent } from '../log.ts';
import { testEngines } from '../testing/engines.ts';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import type { SignInThrottleOptions } from './sign-in-throttle-options.ts';

/**
 * CLINICSYNC_TRUSTED_PROXIES end to end: real HTTP (and one WebSocket) sign-ins carrying
 * X-Forwarded-For, against a server that trusts 127.0.0.1 (the test stands in for the
 * load balancer) and one that trusts no proxy. Each wrong sign-in uses a login of its own,
 * so only the per-source counter can lock.
 */
const engines = testEngines(await requirePostgres('sync-server/auth/trusted-proxies (PostgreSQL)'), testPostgresUrl());

const OPTIONS: SignInThrottleOptions = { accountFailures: 5, sourceFailures: 3, windowMs: 15 * 60_000, firstLockMs: 60_000, maxLockMs: 4 * 60_000, lockAfterFailures: 100 };
const CLIENT_A = '203.0.113.7';
const CLIENT_B = '198.51.100.8';
const NETWORK_LOCKED = 'Too many sign-in attempts from this network. Try again in 1 minute.';

/** One wrong sign-in (a fresh login each time) over HTTP, with this X-Forwarded-For if given; its error code and message. */
async function wrongSignIn(server: TestServer, forwardedFor?: string): Promise<{ code: string | null; message: string | null }> {
  const headers: Record<string, string> = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const outcome = await callRaw(server.url, 'mutation', 'auth.signIn', signInInput(), headers);
  return { code: outcome.appCode, message: outcome.message };
}

function signInInput() {
  return { protocolVersion: PROTOCOL_VERSION, org: 'clinic-xff', username: `user-${uuidv7()}`, password: 'wrong-password', deviceId: uuidv7() };
}

/** The same over a WebSocket whose upgrade request carries the header (the balancer forwards it there too). */
function wrongSignInOverSocket(server: TestServer, forwardedFor: string): Promise<string | undefined> {
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}${SYNC_API_PATH}`, { headers: { 'x-forwarded-for': forwardedFor } });
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'mutation', params: { path: 'auth.signIn', input: signInInput() } })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { id?: number; error?: { data?: { appCode?: string } } };
      if (message.id !== 1) return;
      socket.close();
      resolve(message.error?.data?.appCode);
    });
  });
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`trusted proxies (${engine.name})`, () => {
    let trusting: TestServer;
    let direct: TestServer;
    const logs: LogEvent[] = [];

    beforeAll(async () => {
      [trusting, direct] = await Promise.all([
        startTestServer(engine, { signInThrottle: OPTIONS, trustedProxies: ['127.0.0.1'], log: (event) => logs.push(event) }),
        startTestServer(engine, { signInThrottle: OPTIONS }),
      ]);
    });
    afterAll(async () => {
      await trusting?.stop();
      await direct?.stop();
    });

    it('behind a trusted proxy, counts each forwarded client on its own', async () => {
      for (let i = 0; i < OPTIONS.sourceFailures; i++) expect((await wrongSignIn(trusting, CLIENT_A)).code).toBe('INVALID_CREDENTIALS');
      expect(await wrongSignIn(trusting, CLIENT_A)).toEqual({ code: 'RATE_LIMITED', message: NETWORK_LOCKED });
      // A caller who writes a fresh address in front is still keyed by what the proxy appended.
      expect((await wrongSignIn(trusting, `198.51.100.99, ${CLIENT_A}`)).code).toBe('RATE_LIMITED');
      // Another client, and the proxy's own address (no header), have counters of their own.
      expect((await wrongSignIn(trusting, CLIENT_B)).code).toBe('INVALID_CREDENTIALS');
      expect((await wrongSignIn(trusting)).code).toBe('INVALID_CREDENTIALS');
      // The WebSocket's upgrade request is resolved the same way.
      expect(await wrongSignInOverSocket(trusting, CLIENT_A)).toBe('RATE_LIMITED');
      expect(await wrongSignInOverSocket(trusting, '198.51.100.9')).toBe('INVALID_CREDENTIALS');
      // The addresses are counted, never logged.
      expect(logs.some((event) => event.event === 'sign_in_locked')).toBe(true);
      expect(JSON.stringify(logs)).not.toMatch(/203\.0\.113|198\.51\.100|127\.0\.0\.1/);
    });

    it('with no proxy trusted, ignores the header: every caller shares the peer address', async () => {
      for (let i = 0; i < OPTIONS.sourceFailures; i++) expect((await wrongSignIn(direct, CLIENT_A)).code).toBe('INVALID_CREDENTIALS');
      expect(await wrongSignIn(direct, CLIENT_B)).toEqual({ code: 'RATE_LIMITED', message: NETWORK_LOCKED });
      expect((await wrongSignIn(direct)).code).toBe('RATE_LIMITED');
    });
  });
}
