import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,sync-server,electron,renderer,test,scripts}/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', 'test/bench/**'],
    // Real databases and real Chromium: generous per-test time, files run two at a time
    // on our 2-core machines.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    pool: 'forks',
  },
});
