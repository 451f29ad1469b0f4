import pg from 'pg';
import { recordSkippedSuite } from './skip-log.ts';

export type ServiceProbe = { available: true; url: string } | { available: false; url: string; reason: string };

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The admin URL tests use (override with CLINICSYNC_TEST_PG_URL). */
export function testPostgresUrl(): string {
  return process.env.CLINICSYNC_TEST_PG_URL || DEFAULT_URL;
}

let probed: Promise<ServiceProbe> | undefined;

/** Connects once per test process and runs `SELECT 1`. */
export function probePostgres(): Promise<ServiceProbe> {
  return (probed ??= (async (): Promise<ServiceProbe> => {
    const url = testPostgresUrl();
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { available: true, url };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      return { available: false, url, reason: `PostgreSQL not reachable at ${redact(url)} (${typeof code === 'string' ? code : 'no answer'})` };
    } finally {
      await client.end().catch(() => undefined);
    }
  })());
}

/**
 * For a suite that needs PostgreSQL: true if it can run. If not, the suite FAILS when
 * CLINICSYNC_REQUIRE_POSTGRES=1 (CI), otherwise it is recorded as skipped, loudly.
 */
export async function requirePostgres(suite: string): Promise<boolean> {
  const probe = await probePostgres();
  if (probe.available) return true;
  if (process.env.CLINICSYNC_REQUIRE_POSTGRES === '1') {
    throw new Error(`${suite}: ${probe.reason}, and CLINICSYNC_REQUIRE_POSTGRES=1`);
  }
  recordSkippedSuite(suite, probe.reason);
  return false;
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}
