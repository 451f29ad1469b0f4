import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserHost } from '../../../electron/host/browser-host.ts';
import { createFileKeystore } from '../../../electron/keystore/file-keystore.ts';
import type { Clock } from '../../../electron/people/clock.ts';
import { createWorkstation, type Workstation } from '../../../electron/workstation.ts';
import { startSyncServer, type DemoOrg, type SyncServerHandle } from '../../../sync-server/server.ts';

export type WorkstationUnderTest = { name: string; url: string; workstation: Workstation; close(): Promise<void> };

/** The real sync server (embedded PGlite, demo orgs seeded). */
export async function startServer(): Promise<SyncServerHandle & { orgs: Map<string, DemoOrg> }> {
  const server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
  if (!server.demo) throw new Error('The sync server started without its demo orgs.');
  return Object.assign(server, { orgs: new Map(server.demo.orgs.map((org) => [org.code, org])) });
}

/**
 * One clinic workstation in browser mode: its own data folder, a file keystore (the
 * stand-in for the OS keystore outside Electron), the workstation core, and the loopback
 * host serving the built renderer plus the local API.
 */
export async function startWorkstation(
  name: string,
  /** `managedOrg`: the machine policy's org (as a managed workstation has it), offered to pre-fill the sign-in form. */
  options: { serverUrl: string; rendererDir: string; root: string; clock?: Clock; managedOrg?: string },
): Promise<WorkstationUnderTest> {
  const dataDir = await mkdtemp(join(options.root, `${name}-`));
  const keystore = createFileKeystore({ dir: join(dataDir, 'keys'), passphrase: `e2e-passphrase-${name}`, log: () => undefined });
  const workstation = createWorkstation({ dataDir, serverUrl: options.serverUrl, keystore, deviceName: `e2e-${name}`, ...(options.clock ? { clock: options.clock } : {}), managedOrg: options.managedOrg });
  const host = await startBrowserHost({ workstation, port: 0, rendererDir: options.rendererDir });
  return {
    name,
    url: host.url,
    workstation,
    async close() {
      await host.close();
      await workstation.close();
    },
  };
}

export async function makeRoot(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'clinicsync-e2e-'));
}

export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}
