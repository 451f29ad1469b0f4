import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const configFile = fileURLToPath(new URL('../../../renderer/vite.config.ts', import.meta.url));

/**
 * Builds the renderer with its real config into a private folder (no race with dist/).
 * Vitest sets NODE_ENV=test, which would otherwise pull React's development build in.
 */
export async function buildRenderer(root: string): Promise<string> {
  const outDir = join(root, 'renderer');
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile, mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false } });
  } finally {
    process.env.NODE_ENV = previous;
  }
  return outDir;
}
