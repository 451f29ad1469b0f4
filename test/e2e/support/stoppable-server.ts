import { join } from 'node:path';
import { startSyncServer, type DemoOrg, type SyncServerHandle } from '../../../sync-server/server.ts';

/**
 * The real sync server on an embedded PGlite folder that a test can stop (every desk
 * loses it, as in an outage) and start again later on the same data and port, demo orgs
 * kept (the seed is idempotent).
 */
export interface StoppableServer {
  readonly url: string;
  readonly orgs: Map<string, DemoOrg>;
  readonly running: boolean;
  stop(): Promise<void>;
  /** Starts it again; `protocolVersion` plays a server upgraded meanwhile (default: this build's). */
  start(options?: { protocolVersion?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function startStoppableServer(root: string): Promise<StoppableServer> {
  const database = { kind: 'pglite' as const, dataDir: join(root, 'server-data') };
  let handle: SyncServerHandle | null = await startSyncServer({ port: 0, database, seedDemo: true });
  if (!handle.demo) throw new Error('The sync server started without its demo orgs.');
  const port = handle.port;
  const orgs = new Map(handle.demo.orgs.map((org) => [org.code, org]));
  const server: StoppableServer = {
    url: handle.url,
    orgs,
    get running() {
      return handle !== null;
    },
    async stop() {
      const stopping = handle;
      handle = null;
      await stopping?.close();
    },
    async start(options = {}) {
      if (handle) return;
      handle = await startSyncServer({ port, database, seedDemo: true, ...options });
    },
    async close() {
      await server.stop();
    },
  };
  return server;
}
