import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createFileKeystore } from './electron/keystore/file-keystore.ts';
import { createWorkstation } from './electron/workstation.ts';
import { startBrowserHost } from './electron/host/browser-host.ts';
import { launchChromium } from './test/e2e/support/chromium.ts';
import { buildRenderer } from './test/e2e/support/build-renderer.ts';
const dir = mkdtempSync(join(tmpdir(), 'scrws-'));
const rendererDir = process.env.RDIR ?? await buildRenderer(dir);
const keystore = createFileKeystore({ dir: join(dir, 'keys'), passphrase: 'x'.repeat(20), log: () => {} });
const ws = createWorkstation({ dataDir: join(dir, 'data'), serverUrl: 'http://127.0.0.1:9', keystore });
const host = await startBrowserHost({ workstation: ws, rendererDir });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(host.url);
await page.waitForTimeout(1500);
const r = await page.evaluate(async () => {
  const sock = new WebSocket(location.origin.replace('http', 'ws') + '/api/socket');
  await new Promise((res) => (sock.onopen = res));
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await new Promise<void>((res) => { sock.onmessage = () => res(); sock.send(JSON.stringify({ id: i + 1, call: { path: 'session.status', type: 'query' } })); });
    times.push(performance.now() - t);
  }
  const http: number[] = [];
  for (let i = 0; i < 50; i++) { const t = performance.now(); await (await fetch('/api/session.status')).json(); http.push(performance.now() - t); }
  const s = (a: number[]) => { a.sort((x, y) => x - y); return `p50 ${a[25]!.toFixed(2)} p95 ${a[47]!.toFixed(2)}`; };
  return `ws ${s(times)} | http ${s(http)}`;
});
console.log(r, 'renderer', rendererDir);
await browser.close(); await host.close(); await ws.close(); rmSync(dir, { recursive: true, force: true });
