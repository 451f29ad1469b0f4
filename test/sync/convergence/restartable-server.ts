import { randomBytes } from 'node:crypto';
import { dropPostgresDeployment } from '../../../sync-server/db/postgres-admin.ts';
import type { DatabaseOptions } from '../../../sync-server/db/open-databases.ts';
import { startSyncServer, type SyncServerHandle } from '../../../sync-server/server.ts';
import type { TestEngine } from '../../../sync-server/testing/engines.ts';
import { tempDir } from '../../../electron/test-support/temp-dir.ts';

/**
 * An in-process sync server that can be stopped and started again on the same data
 * (a PGlite folder, or the same PostgreSQL databases) and the same port, as a real restart
 * looks to the workstations: every connection dropped, sessions and data kept.
 */
export interface RestartableServer {
  readonly handle: SyncServerHandle;
  readonly url: string;
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

export async function startRestartableServer(engine: TestEngine): Promise<RestartableServer> {
  const folder = engine.name === 'pglite' ? tempDir('clinicsync-convergence-server-') : null;
  const prefix = `cs_t${randomBytes(5).toString('hex')}`;
  const database: DatabaseOptions = folder
    ? { kind: 'pglite', dataDir: folder.path }
    : { kind: 'postgres', adminUrl: engine.adminUrl, databasePrefix: prefix, poolSize: 3 };
  let handle = await startSyncServer({ port: 0, database });
  const port = handle.port;
  return {
    get handle() {
      return handle;
    },
    url: handle.url,
    async restart() {
      await handle.close();
      handle = await startSyncServer({ port, database });
    },
    async dispose() {
      await handle.close();
      if (folder) folder.remove();
      else await dropPostgresDeployment(engine.adminUrl, prefix);
    },
  };
}
