import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A suite that cannot run here (no PostgreSQL, no NATS) must say so loudly: one warning
 * line on stderr now, and one JSON line in the skip log that the test runner prints at
 * the end, so a green run never hides what it did not test.
 */
export function recordSkippedSuite(suite: string, reason: string): void {
  process.stderr.write(`\n⚠ SKIPPED SUITE ${suite}: ${reason}\n`);
  const file = process.env.CLINICSYNC_SKIP_LOG || 'test-results/skipped-suites.jsonl';
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify({ suite, reason })}\n`);
}
