import { extname, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CustomScheme, Net, Protocol } from 'electron';
import { SECURITY_HEADERS } from '../host/security.ts';
import { APP_HOST, APP_SCHEME } from './ipc-protocol.ts';

/**
 * Registered before `ready`: app:// is a standard, secure origin (fetch allowed, no mixed
 * content). Deliberately NOT bypassCSP, corsEnabled or allowServiceWorkers; a test locks it.
 * codeCache lets V8 keep the renderer bundle's compiled code between starts (as it does
 * for https): the app's own code only, in the profile folder; the first screens after a
 * start then skip compiling it again.
 */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
} as const satisfies CustomScheme;

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
    // SECURITY_HEADERS (one CSP, shared with the browser-mode host) on EVERY response, 404s too.
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return new Response('Not found', { status: 404, headers: SECURITY_HEADERS }); // malformed %-escape
    }
    let path = resolve(root, `.${pathname}`);
    if (path !== root && !path.startsWith(root + sep)) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    if (path === root || extname(path) === '') path = resolve(root, 'index.html');
    const file = await net.fetch(pathToFileURL(path).toString()).catch(() => null);
    if (!file?.ok) return new Response('Not found', { status: 404, headers: SECURITY_HEADERS });
    return new Response(file.body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' },
    });
  });
}
