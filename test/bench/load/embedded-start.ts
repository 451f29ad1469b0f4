import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './server-process.ts';

/**
 * The embedded default as `npm run start:server` runs it with no database URL: PGlite in
 * a data folder, the demo seeded, the in-process bus. Two starts of a fresh process, each
 * from spawn until the server answers its health query:
 * - the first ever, on an empty data folder: it also creates and migrates the eight
 *   databases, seeds the demo and makes the vault key (what happens once per install);
 * - a cold start on that same folder afterwards (every later start): the figure, and the
 *   RSS of that process once serving.
 */
export interface EmbeddedStart {
  firstStartSeconds: number;
  startSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

async function timedStart(dataDir: string): Promise<{ seconds: number; rssMb: number; peakRssMb: number }> {
  const started = performance.now();
  const server = await startServerProcess('embedded', { CLINICSYNC_DATA_DIR: dataDir, CLINICSYNC_PORT: '0' });
  try {
    const health = await fetch(new URL('/trpc/health', server.url));
    if (!health.ok) throw new Error(`embedded server: health answered HTTP ${health.status}`);
    const seconds = (performance.now() - started) / 1000;
    const rss = server.rssMb();
    return { seconds, rssMb: rss.now, peakRssMb: rss.peak };
  } finally {
    await server.stop();
  }
}

export async function measureEmbeddedStart(): Promise<EmbeddedStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clinicsync-load-embedded-'));
  try {
    const first = await timedStart(dataDir);
    const again = await timedStart(dataDir);
    return { firstStartSeconds: first.seconds, startSeconds: again.seconds, rssMb: again.rssMb, peakRssMb: Math.max(first.peakRssMb, again.peakRssMb) };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
