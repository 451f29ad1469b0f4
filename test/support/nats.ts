import { connect } from '@nats-io/transport-node';
import type { ServiceProbe } from './postgres.ts';
import { recordSkippedSuite } from './skip-log.ts';

const DEFAULT_URL = 'nats://127.0.0.1:4222';

/** The NATS URL tests use (override with CLINICSYNC_TEST_NATS_URL). */
export function testNatsUrl(): string {
  return process.env.CLINICSYNC_TEST_NATS_URL || DEFAULT_URL;
}

let probed: Promise<ServiceProbe> | undefined;

export function probeNats(): Promise<ServiceProbe> {
  return (probed ??= (async (): Promise<ServiceProbe> => {
    const url = testNatsUrl();
    try {
      const nc = await connect({ servers: url, timeout: 2_000, reconnect: false });
      await nc.flush();
      await nc.close();
      return { available: true, url };
    } catch (error) {
      const code = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
      return { available: false, url, reason: `NATS not reachable at ${url} (${typeof code === 'string' ? code : 'no answer'})` };
    }
  })());
}

/** Like requirePostgres: fails under CLINICSYNC_REQUIRE_NATS=1, otherwise skips loudly. */
export async function requireNats(suite: string): Promise<boolean> {
  const probe = await probeNats();
  if (probe.available) return true;
  if (process.env.CLINICSYNC_REQUIRE_NATS === '1') {
    throw new Error(`${suite}: ${probe.reason}, and CLINICSYNC_REQUIRE_NATS=1`);
  }
  recordSkippedSuite(suite, probe.reason);
  return false;
}
