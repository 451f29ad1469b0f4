import { extname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Net, Protocol } from 'electron';
import { SECURITY_HEADERS } from '../host/security.ts';
import { APP_HOST, APP_SCHEME } from './ipc-protocol.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/**
 * Serves the built renderer as app://renderer/… (not file://, which would give the page
 * the whole file system as its origin). Only files inside rendererDir; strict CSP on all.
 */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, net: Pick<Net, 'fetch'>, rendererDir: string): void {
  const root = resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    let path = resolve(root, `.${decodeURIComponent(url.pathname)}`);
    if (path !== root && !path.startsWith(root + sep)) return new Response('Not found', { status: 404 });
    if (path === root || extname(path) === '') path = resolve(root, 'index.html');
    const file = await net.fetch(pathToFileURL(path).toString()).catch(() => null);
    if (!file?.ok) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    return new Response(file.body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' },
    });
  });
}
