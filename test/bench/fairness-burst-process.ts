import { syncClient, TestDevice } from '../../sync-server/testing/harness.ts';
import { startBurst } from './fairness-load.ts';

/**
 * Clinic A of the fairness run, in a process of its own (forked by fairness-burst-handle.ts):
 * a misbehaving clinic's desks are other machines, so their client work (building calls,
 * HTTP, reading answers) must not run on the server's event loop and be charged to the
 * server's fairness. Holds the devices' sessions, bursts when told, reports the outcomes.
 */
export interface BurstDevice {
  tenantId: string;
  token: string;
  deviceId: string;
}

export type BurstCommand =
  | { kind: 'devices'; url: string; devices: BurstDevice[]; loopsPerDevice: number }
  | { kind: 'burst' }
  | { kind: 'halt' };

export type BurstReport = { kind: 'ready' } | { kind: 'bursting' } | { kind: 'outcomes'; outcomes: Record<string, number> } | { kind: 'failed'; error: string };

let devices: TestDevice[] = [];
let loops = 1;
let burst: ReturnType<typeof startBurst> | null = null;

const report = (message: BurstReport) => process.send!(message);

process.once('disconnect', () => process.exit(0));
process.on('message', (message: BurstCommand | 'stop') => {
  if (message === 'stop') return void (burst ? burst.stop() : Promise.resolve()).finally(() => process.exit(0));
  if (message.kind === 'devices') {
    devices = message.devices.map((d) => new TestDevice(syncClient(message.url, { tenantId: d.tenantId, token: d.token }), d.deviceId));
    loops = message.loopsPerDevice;
    return report({ kind: 'ready' });
  }
  if (message.kind === 'burst') {
    burst = startBurst(devices, loops);
    return report({ kind: 'bursting' });
  }
  const running = burst;
  burst = null;
  void (running ? running.stop() : Promise.resolve({}))
    .then((outcomes) => report({ kind: 'outcomes', outcomes }))
    .catch((error: unknown) => report({ kind: 'failed', error: error instanceof Error ? error.message : String(error) }));
});
