import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { uuidv7 } from '../../shared/ids.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { signInToServer } from '../sync/transport.ts';

/**
 * The real sync server for electron/ integration tests, run as its own process from
 * `sync-server/main.ts` (electron/ may not import sync-server/: DESIGN §5). Its demo orgs
 * and their public demo passwords are read from its start-up lines.
 */
export const SYNC_SERVER_MAIN = fileURLToPath(new URL('../../sync-server/main.ts', import.meta.url));
export const syncServerAvailable = () => existsSync(SYNC_SERVER_MAIN);

export interface SyncServerProcess {
  url: string;
  demoPasswords: Map<string, string>;
  stop(): Promise<void>;
  /** kill -9: no shutdown at all, as a crash or a power cut leaves it (crash-safety tests). */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface SyncServerProcessOptions {
  port: number;
  dataDir: string;
  /** Every chunk the server writes (tests that inspect its output, e.g. for leaked secrets). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Run on PostgreSQL (admin URL and database prefix) instead of PGlite in `dataDir`. */
  postgres?: { adminUrl: string; databasePrefix: string };
  /** More settings for the server (e.g. CLINICSYNC_LIMIT_*). */
  env?: Record<string, string>;
}

export async function startSyncServerProcess({ port, dataDir, onOutput, postgres, env: extra = {} }: SyncServerProcessOptions): Promise<SyncServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, CLINICSYNC_HOST: '127.0.0.1', CLINICSYNC_PORT: String(port), CLINICSYNC_DATA_DIR: dataDir, CLINICSYNC_SEED_DEMO: 'true' };
  delete env['CLINICSYNC_DATABASE_URL'];
  if (postgres) Object.assign(env, { CLINICSYNC_DATABASE_URL: postgres.adminUrl, CLINICSYNC_DATABASE_PREFIX: postgres.databasePrefix });
  delete env['CLINICSYNC_NATS_URL'];
  const child = spawn(process.execPath, [SYNC_SERVER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const demoPasswords = new Map<string, string>();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  if (onOutput) {
    child.stdout?.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => onOutput('stderr', chunk));
  }
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let found: string | undefined;
    const timer = setTimeout(() => reject(new Error(`sync server did not start in time\n${stderr.slice(-2000)}`)), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sync server exited (${String(code)})\n${stderr.slice(-2000)}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const match of out.matchAll(/demo org "([a-z0-9-]+)".*password (\S+)/g)) demoPasswords.set(match[1]!, match[2]!);
      found ??= /listening on (http:\/\/\S+)/.exec(out)?.[1];
      // The demo lines follow the URL line in one write; wait until they are in.
      if (found && demoPasswords.size > 0) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return { url, demoPasswords, stop: () => stopChild(child), kill: () => stopChild(child, 'SIGKILL') };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** A new device signed in as a demo org's front desk, through `url` (default: the server's own). */
export async function signInDemoFrontDesk(server: SyncServerProcess, org: string, deviceName: string, url: string = server.url): Promise<{ session: SessionInfo; deviceId: string }> {
  const deviceId = uuidv7();
  const session = await signInToServer(url, { protocolVersion: PROTOCOL_VERSION, org, username: 'frontdesk', password: server.demoPasswords.get(org) ?? '', deviceId, deviceName });
  return { session, deviceId };
}
