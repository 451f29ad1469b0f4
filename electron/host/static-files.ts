import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { SECURITY_HEADERS } from './security.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

function fileAt(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Serves the built renderer. Paths are resolved inside `root` only (no `..` escape);
 * extension-less paths fall back to index.html for client-side routes. Every response
 * carries the strict CSP and nosniff.
 */
export function serveStatic(root: string, pathname: string, res: ServerResponse, method: string): void {
  const base = resolve(root);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return void res.writeHead(400, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('Bad request');
  }
  let target = resolve(base, `.${normalize(`/${decoded}`)}`);
  if (target !== base && !target.startsWith(base + sep)) return void res.writeHead(404, SECURITY_HEADERS).end();
  if (!fileAt(target)) {
    if (extname(target) !== '') return void res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('Not found');
    target = join(base, 'index.html');
    if (!fileAt(target)) {
      return void res.writeHead(503, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('The renderer has not been built yet.');
    }
  }
  const isHtml = extname(target) === '.html';
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream',
    'cache-control': isHtml ? 'no-store' : 'no-cache',
  });
  if (method === 'HEAD') return void res.end();
  createReadStream(target).pipe(res);
}
