import { loadConfig } from '../../../sync-server/config.ts';
import { startSyncServer } from '../../../sync-server/server.ts';

/**
 * The sync server started again after the kill, in the test's own process: the start-up of
 * sync-server/main.ts (loadConfig, then startSyncServer) with the settings
 * startSyncServerProcess gives its child, on the same data and port. What the restart has
 * to show (nothing of the held transaction survived, the retry is applied once) is in the
 * data it opens; a fresh process would only add seconds of loading the engine again. The
 * server that is killed stays a real process (sync-server-process.ts).
 */
export async function restartInProcess(options: { port: number; dataDir: string; postgres?: { adminUrl: string; databasePrefix: string } }): Promise<{ url: string; stop(): Promise<void> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CLINICSYNC_HOST: '127.0.0.1', CLINICSYNC_PORT: String(options.port), CLINICSYNC_DATA_DIR: options.dataDir, CLINICSYNC_SEED_DEMO: 'true' };
  delete env['CLINICSYNC_DATABASE_URL'];
  delete env['CLINICSYNC_NATS_URL'];
  if (options.postgres) Object.assign(env, { CLINICSYNC_DATABASE_URL: options.postgres.adminUrl, CLINICSYNC_DATABASE_PREFIX: options.postgres.databasePrefix });
  const server = await startSyncServer(loadConfig(env));
  return { url: server.url, stop: () => server.close() };
}
