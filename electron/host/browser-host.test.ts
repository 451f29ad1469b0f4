import http from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
    expect((await request(`${host.origin}/api/session.status`)).status).toBe(401);
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
