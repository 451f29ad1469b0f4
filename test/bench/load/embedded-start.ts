import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess } from './server-process.ts';

/**
 * The embedded default as `npm run start:server` runs it with no database URL: PGlite in
 * a data folder, the demo seeded, the in-process bus. Cold start: a fresh, empty data
 * folder (migrations, demo seed and vault key included), from spawn until the server
 * answers its health query; then the RSS of that process.
 */
export interface EmbeddedStart {
  startSeconds: number;
  rssMb: number;
  peakRssMb: number;
}

export async function measureEmbeddedStart(): Promise<EmbeddedStart> {
  const dataDir = mkdtempSync(join(tmpdir(), 'clinicsync-load-embedded-'));
  const started = performance.now();
  const server = await startServerProcess('embedded', { CLINICSYNC_DATA_DIR: dataDir, CLINICSYNC_PORT: '0' });
  try {
    const health = await fetch(new URL('/trpc/health', server.url));
    if (!health.ok) throw new Error(`embedded server: health answered HTTP ${health.status}`);
    const startSeconds = (performance.now() - started) / 1000;
    const rss = server.rssMb();
    return { startSeconds, rssMb: rss.now, peakRssMb: rss.peak };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
