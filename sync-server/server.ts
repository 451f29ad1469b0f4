import { createServerAdmin, type ServerAdmin } from './admin/server-admin.ts';
import { startHttp } from './api/http-server.ts';
import { createMemoryBus } from './bus/memory-bus.ts';
import { createNatsBus } from './bus/nats-bus.ts';
import type { PokeBus } from './bus/poke-bus.ts';
import { openDatabases, type DatabaseOptions } from './db/open-databases.ts';
import type { DatabaseSet } from './db/domain-db.ts';
import type { DemoInfo } from './demo/demo-orgs.ts';
import { seedDemo } from './demo/seed.ts';
import { silentLogger, type LogEvent } from './log.ts';
import { createServices } from './services.ts';

export type { ServerAdmin } from './admin/server-admin.ts';
export type { DemoInfo, DemoOrg, DemoUser } from './demo/demo-orgs.ts';
export type { LogEvent } from './log.ts';
export type { SyncServerRouter } from './api/router.ts';

export interface SyncServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  database: DatabaseOptions;
  bus?: { kind: 'memory' } | { kind: 'nats'; servers: string };
  /** Create the two demo orgs on first start (idempotent). */
  seedDemo?: boolean;
  /** Structured, PHI-free events. */
  log?: (event: LogEvent) => void;
}

export interface SyncServerHandle {
  url: string;
  port: number;
  admin: ServerAdmin;
  demo: DemoInfo | null;
  /** Internal: the opened databases (catalog tests and operations). */
  databases: DatabaseSet;
  close(): Promise<void>;
}

/** Opens databases, bus and services, seeds the demo if asked, and serves HTTP + WebSocket. */
export async function startSyncServer(options: SyncServerOptions): Promise<SyncServerHandle> {
  const log = options.log ?? silentLogger;
  const host = options.host ?? '127.0.0.1';
  const databases = await openDatabases(options.database, log);
  let bus: PokeBus | undefined;
  try {
    bus = options.bus?.kind === 'nats' ? await createNatsBus(options.bus.servers, log) : createMemoryBus();
    const services = createServices(databases, bus, log);
    const admin = createServerAdmin(services, databases);
    const demo = options.seedDemo ? await seedDemo(services, admin) : null;
    const http = await startHttp(services, host, options.port ?? 0);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
    log({ level: 'info', event: 'server_started', port: http.port, engine: databases.engine, bus: bus.kind });
    let closing: Promise<void> | undefined;
    const runningBus = bus;
    return {
      url,
      port: http.port,
      admin,
      demo,
      databases,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          await runningBus.close();
          await databases.close();
          log({ level: 'info', event: 'server_stopped' });
        })()),
    };
  } catch (error) {
    await bus?.close().catch(() => undefined);
    await databases.close().catch(() => undefined);
    throw error;
  }
}
