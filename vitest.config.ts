import { defineConfig } from 'vitest/config';

const ROOTS = '{shared,sync-server,electron,renderer,test,scripts}';
// Files named *.alone.test.ts assert on timing ratios (issue 9's fairness): another test
// file on the same two cores would be measured with them. scripts/test.ts runs them after
// everything else, one file at a time, with CLINICSYNC_TEST_PHASE=alone.
const alone = process.env.CLINICSYNC_TEST_PHASE === 'alone';

export default defineConfig({
  test: {
    include: [alone ? `${ROOTS}/**/*.alone.test.ts` : `${ROOTS}/**/*.test.{ts,tsx}`],
    exclude: ['**/node_modules/**', 'test/bench/**', ...(alone ? [] : ['**/*.alone.test.ts'])],
    // Real databases and real Chromium: generous per-test time, files run two at a time
    // on our 2-core machines (the alone phase: one).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: alone ? 1 : 2,
    pool: 'forks',
  },
});
