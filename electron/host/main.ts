import { join } from 'node:path';
import { createFileKeystore } from '../keystore/file-keystore.ts';
import { applyNetworkPolicy } from '../policy/apply-network.ts';
import { startAutoEnroll } from '../policy/auto-enroll.ts';
import { logTlsFailuresTo } from '../sync/transport-tls.ts';
import { createWorkstation } from '../workstation.ts';
import { startBrowserHost } from './browser-host.ts';
import { loadHostConfig } from './config.ts';

/** Workstation events as JSON lines on stderr (ids, codes and reasons only; never data or secrets). */
const logEvent = (event: string, fields: Record<string, string>) => process.stderr.write(`${JSON.stringify({ event, ...fields })}\n`);

/** `node electron/host/main.ts`: the workstation in plain Node, served to a browser on loopback. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadHostConfig(process.env, logEvent);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : 'Invalid configuration'}\n`);
    process.exit(2);
  }
  // Read once, then gone from the environment: Node's diagnostic report (and any child
  // process) would otherwise carry the passphrase with every other variable.
  delete process.env['CLINICSYNC_KEYSTORE_PASSPHRASE'];
  const keystore = createFileKeystore({ dir: join(config.dataDir, 'keys'), passphrase: config.passphrase, log: (line) => process.stderr.write(`${line}\n`) });
  // Before the workstation's first call: the policy's proxy and extra CA certificates apply to all of them.
  applyNetworkPolicy(config.policy);
  logTlsFailuresTo(logEvent); // a refused certificate reads "cannot be reached" at the desk; its code goes to the log
  const workstation = createWorkstation({
    dataDir: config.dataDir,
    serverUrl: config.serverUrl,
    keystore,
    deviceName: 'browser-host',
    log: logEvent,
    idleLockMinutes: config.policy?.idleLockMinutes,
    managedOrg: config.policy?.org,
  });
  const enrollment = startAutoEnroll({ workstation, policy: config.policy, log: logEvent });
  const host = await startBrowserHost({ workstation, port: config.port, rendererDir: config.rendererDir });
  const policyNote = config.policy ? ` (machine policy ${config.policy.file})` : '';
  process.stdout.write(`Clinicsync workstation (browser mode) for ${config.serverUrl}${policyNote}\nOpen once: ${host.url}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    enrollment.stop();
    void host
      .close()
      .then(() => workstation.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The workstation host could not start: ${error instanceof Error ? error.name : 'error'}\n`);
  process.exit(1);
});
