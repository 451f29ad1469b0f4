import { createSyncTransport } from '../../../electron/sync/transport.ts';
import { SYNCED_DOMAINS } from '../../../shared/domains.ts';
import { PROTOCOL_VERSION } from '../../../shared/sync/version.ts';
import type { DeviceSession } from './provision.ts';
import { summarize, type LatencySummary } from './stats.ts';

/**
 * One tenant's pull latency, measured the same way before and after the deployment grows
 * from 10 tenants to 1,000 (tenant_scaling_ratio): one workstation transport, pulling
 * every synced domain from the start (its whole feed, one page each) round after round,
 * against an otherwise idle server process. Run it at both sizes against the same
 * server so nothing but the number of tenants changes.
 */
export async function measureTenantPulls(serverUrl: string, device: DeviceSession, rounds: number): Promise<LatencySummary> {
  const transport = createSyncTransport(serverUrl, { tenantId: device.tenantId, token: device.token });
  const latencies: number[] = [];
  try {
    for (let round = -2; round < rounds; round++) {
      for (const domain of SYNCED_DOMAINS) {
        const started = performance.now();
        const page = await transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor: '0', limit: 1000 });
        if (page.tenantId !== device.tenantId) throw new Error('tenant scaling: a page for another org came back');
        if (round >= 0) latencies.push(performance.now() - started); // two warm-up rounds
      }
    }
  } finally {
    await transport.close();
  }
  return summarize(latencies);
}
