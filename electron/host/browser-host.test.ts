import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LOCAL_API_SOCKET_PATH } from '../../shared/local-api-socket.ts';
import type { SocketAnswer, SocketCall } from './local-api-socket.ts';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { createWorkstation, type Workstation } from '../workstation.ts';
import { startBrowserHost, type BrowserHost } from './browser-host.ts';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, not fetch: fetch will not let a test forge the Host header. */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

let dir: ReturnType<typeof tempDir>;
let workstation: Workstation;
let host: BrowserHost;

beforeEach(async () => {
  dir = tempDir();
  const rendererDir = join(dir.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir.path, 'secret.txt'), 'outside the renderer');
  const keystore = createFileKeystore({ dir: join(dir.path, 'keys'), passphrase: 'host test passphrase', log: () => {} });
  workstation = createWorkstation({ dataDir: join(dir.path, 'data'), serverUrl: 'http://127.0.0.1:9', keystore });
  host = await startBrowserHost({ workstation, rendererDir });
});
afterEach(async () => {
  await host.close();
  await workstation.close();
  dir.remove();
});

async function launch(): Promise<string> {
  const reply = await request(host.url);
  expect(reply.status).toBe(303);
  expect(reply.headers.location).toBe('/');
  const cookie = reply.headers['set-cookie']?.[0] ?? '';
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

describe('browser-mode host', () => {
  it('binds loopback and refuses a foreign Host header (DNS rebinding)', async () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const cookie = await launch();
    const reply = await request(`${host.origin}/api/session.status`, { headers: { host: 'evil.example', cookie } });
    expect(reply.status).toBe(421);
    expect(reply.body).not.toContain('signed_out');
  });

  it('trades the launch token once for a cookie; the API refuses requests without it', async () => {
    const refused = await request(`${host.origin}/api/session.status`);
    expect(refused.status).toBe(401);
    // In tRPC's error shape, so the page can say why (a plain-text body reads as "no answer").
    expect(JSON.parse(refused.body)).toMatchObject({ error: { data: { appCode: 'UNAUTHENTICATED' } } });
    const cookie = await launch();
    expect((await request(host.url)).status).toBe(403); // one-time
    expect((await request(`${host.origin}/api/session.status`, { headers: { cookie: 'clinicsync_host=forged' } })).status).toBe(401);
    const ok = await request(`${host.origin}/api/session.status`, { headers: { cookie } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ result: { data: { state: 'signed_out', user: null, org: null } } });
  });

  it('refuses a cross-origin or Origin-less POST and accepts a same-origin one', async () => {
    const cookie = await launch();
    const post = (headers: Record<string, string>) =>
      request(`${host.origin}/api/session.signOut`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: '{}' });
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect((await post({ origin: host.origin, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const ok = await post({ origin: host.origin });
    expect(ok.status).toBe(200);
  });

  it('answers STORE_LOCKED (423) with appCode when no org is signed in', async () => {
    const cookie = await launch();
    const reply = await request(`${host.origin}/api/patients.list`, { headers: { cookie } });
    expect(reply.status).toBe(423);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { data: { appCode: 'STORE_LOCKED' } } });
  });

  it('serves the renderer with a strict CSP and nosniff, and nothing outside it', async () => {
    const index = await request(`${host.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const js = await request(`${host.origin}/assets/app.js`);
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    expect((await request(`${host.origin}/..%2fsecret.txt`)).body).not.toContain('outside the renderer');
    expect((await request(`${host.origin}/patients`)).body).toContain('<!doctype html>');
  });
});

/** Opens a WebSocket with forged or real headers; resolves 'open' or the refusal's HTTP status. */
function upgrade(origin: string, headers: Record<string, string>, path = LOCAL_API_SOCKET_PATH): Promise<{ status: number | 'open'; socket: WebSocket }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${origin.replace('http', 'ws')}${path}`, { headers });
    socket.once('open', () => resolve({ status: 'open', socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, socket }));
    socket.once('error', () => resolve({ status: 0, socket }));
  });
}

describe('browser-mode host: the local API WebSocket', () => {
  it('refuses an upgrade without a live session, from another origin, for a foreign Host or another path', async () => {
    const cookie = await launch();
    const origin = host.origin;
    const attempts: [Record<string, string>, number, string?][] = [
      [{ origin }, 401],
      [{ origin, cookie: 'clinicsync_host=forged' }, 401],
      [{ cookie }, 403], // no Origin: not our page
      [{ cookie, origin: 'http://evil.example' }, 403], // cross-site WebSocket hijacking
      [{ cookie, origin: 'http://localhost:1' }, 403],
      [{ cookie, origin, host: 'evil.example' }, 421], // DNS rebinding
      [{ cookie, origin }, 404, '/api/other-socket'],
    ];
    for (const [headers, status, path] of attempts) {
      const result = await upgrade(origin, headers, path);
      expect({ headers, status: result.status }).toEqual({ headers, status });
      result.socket.terminate();
    }
  });

  it('answers numbered calls over the socket for the launched page, errors carrying the app code; an unreadable frame closes it', async () => {
    const cookie = await launch();
    const { status, socket } = await upgrade(host.origin, { cookie, origin: host.origin });
    expect(status).toBe('open');
    const answers = new Map<number, SocketAnswer['answer']>();
    const arrived = (count: number) =>
      new Promise<void>((resolve) => {
        const onMessage = (data: Buffer) => {
          const { id, answer } = JSON.parse(data.toString()) as SocketAnswer;
          answers.set(id, answer);
          if (answers.size >= count) {
            socket.off('message', onMessage);
            resolve();
          }
        };
        socket.on('message', onMessage);
      });
    const done = arrived(3);
    const calls: SocketCall[] = [
      { id: 7, call: { path: 'session.status', type: 'query', input: undefined } },
      { id: 8, call: { path: 'patients.list', type: 'query', input: { search: 'a' } } },
      { id: 9, call: { path: 'no such procedure', type: 'query', input: undefined } },
    ];
    for (const call of calls) socket.send(JSON.stringify(call));
    await done;
    expect(answers.get(7)).toMatchObject({ ok: true, data: { state: 'signed_out', user: null, org: null } });
    expect(answers.get(8)).toMatchObject({ ok: false, error: { appCode: 'STORE_LOCKED' } });
    expect(answers.get(9)).toMatchObject({ ok: false, error: { appCode: 'VALIDATION' } });

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('{"not": "a call"}');
    expect(await closed).toBe(1008);
  });

  it('ends open sockets when the host closes (close does not hang on them)', async () => {
    const cookie = await launch();
    const { status, socket } = await upgrade(host.origin, { cookie, origin: host.origin });
    expect(status).toBe('open');
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await host.close();
    expect(await closed).toBeGreaterThan(0);
    host = await startBrowserHost({ workstation, rendererDir: join(dir.path, 'renderer') }); // afterEach closes this one
  });
});
