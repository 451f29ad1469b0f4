import { createServerAdmin, type ServerAdmin } from './admin/server-admin.ts';
import { startHttp } from './api/http-server.ts';
import { createMemoryBus } from './bus/memory-bus.ts';
import { createNatsBus } from './bus/nats-bus.ts';
import type { PokeBus } from './bus/poke-bus.ts';
import { coalescePokes } from './bus/poke-coalescing.ts';
import { checkPostgresLogPosture } from './db/log-posture.ts';
import { openDatabases, type DatabaseOptions } from './db/open-databases.ts';
import type { DatabaseSet } from './db/domain-db.ts';
import type { DemoInfo } from './demo/demo-orgs.ts';
import { seedDemo } from './demo/seed.ts';
import type { EventBus } from './events/event-bus.ts';
import { openEventBus, type EventBusOptions } from './events/open-event-bus.ts';
import { startAutomation, type Automation, type AutomationOptions } from './jobs/automation.ts';
import { silentLogger, type LogEvent } from './log.ts';
import { startMetricsServer, type MetricsServer } from './observability/metrics-server.ts';
import { createObservability, type MetricsOptions, type Observability } from './observability/observability.ts';
import { withRequestIds } from './observability/request-scope.ts';
import { deploymentKey } from './operator/deployment-key.ts';
import { startOperatorSocket, type OperatorSocket } from './operator/operator-socket.ts';
import { createServices, type Services } from './services.ts';
import { LocalKeyWrapper } from './vault/local-key-wrapper.ts';
import { loadKeyring } from './vault/master-keyring.ts';
import type { VaultOptions } from './vault/vault-config.ts';
import type { LimitOptions } from './limits/limit-options.ts';
import type { SignInThrottleOptions } from './auth/sign-in-throttle-options.ts';
import { trustedProxies } from './auth/trusted-proxies.ts';
import { checkVaultMasterKeys } from './vault/vault-startup-check.ts';

export type { ServerAdmin } from './admin/server-admin.ts';
export type { DemoInfo, DemoOrg, DemoUser } from './demo/demo-orgs.ts';
export type { LogEvent } from './log.ts';
export type { SyncServerRouter } from './api/router.ts';

export interface SyncServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  database: DatabaseOptions;
  /** In-process by default. NATS carries pokes (core NATS) and domain events (JetStream, in `eventStream`). */
  bus?: EventBusOptions;
  /** Job runner, outbox relay and event consumer tuning (tests shorten the polls). */
  automation?: AutomationOptions;
  /** Create the two demo orgs on first start (idempotent). */
  seedDemo?: boolean;
  /** Structured, PHI-free events. */
  log?: (event: LogEvent) => void;
  /**
   * The operator channel (sync-server/operator/): a Unix socket, mode 0600, on which admin
   * commands that must run in the serving process (`tenant set-tier`) arrive. Off unless
   * given; `serve` and main.ts turn it on at `<data-dir>/admin.sock`.
   */
  operatorSocket?: string | false;
  /** The sync protocol version to speak (default PROTOCOL_VERSION): tests run a neighbour version. */
  protocolVersion?: number;
  /**
   * The vault's master keyring (sync-server/vault/vault-config.ts). Absent: the vault is off
   * (its procedures say so), and a server whose databases already hold vault keys refuses to start.
   */
  vault?: VaultOptions;
  /** Back-pressure (sync-server/limits/, docs/scale.md): DEFAULT_LIMITS unless given; false turns it off. */
  limits?: LimitOptions | false;
  /**
   * The sign-in throttle (sync-server/auth/sign-in-throttle.ts): DEFAULT_SIGN_IN_THROTTLE
   * unless given; false turns it off. Its counters are in the database, shared by all processes.
   */
  signInThrottle?: SignInThrottleOptions | false;
  /**
   * Load balancers whose X-Forwarded-For names the client (addresses and CIDR ranges,
   * sync-server/auth/trusted-proxies.ts). None unless given: the TCP peer is the client.
   */
  trustedProxies?: string[];
  /** Metrics (sync-server/observability/, docs/scale.md "Observability"): the endpoint is off unless `listen` is given. */
  metrics?: MetricsOptions;
  /**
   * PostgreSQL's logging posture (db/log-posture.ts): a setting that would put bind
   * parameters into its server log is always warned about; true refuses to start instead.
   */
  requireSafePostgresLogging?: boolean;
  /** Pokes of one org and domain within this window are merged (bus/poke-coalescing.ts); default POKE_WINDOW_MS, 0 pokes every write. */
  pokeWindowMs?: number;
}

export interface SyncServerHandle {
  url: string;
  port: number;
  admin: ServerAdmin;
  demo: DemoInfo | null;
  /** Internal: the opened databases (catalog tests and operations). */
  databases: DatabaseSet;
  /** Internal: the job runner, outbox relay and event consumer (tests and operations). */
  automation: Automation;
  /** The operator socket's absolute path, or null when it is off. */
  operatorSocket: string | null;
  /** The metrics endpoint (`http://host:port/metrics`), or null when it is off. */
  metricsUrl: string | null;
  close(): Promise<void>;
}

export interface ServerCore {
  databases: DatabaseSet;
  bus: PokeBus;
  services: Services;
  admin: ServerAdmin;
  /** Closes the bus and the databases (once). */
  close(): Promise<void>;
}

/**
 * Databases, bus, services and admin without HTTP: what the server runs on, and what an
 * admin command opens (it must never listen on a port).
 */
export async function openServerCore(
  options: Pick<SyncServerOptions, 'database' | 'bus' | 'pokeWindowMs' | 'log' | 'protocolVersion' | 'vault' | 'limits' | 'signInThrottle' | 'requireSafePostgresLogging'>,
): Promise<ServerCore> {
  const log = options.log ?? silentLogger;
  // Before any database is opened: a missing or malformed master key stops the start here.
  const vaultKeys = options.vault ? new LocalKeyWrapper(loadKeyring(options.vault.masterKey)) : null;
  // The shared databases' logging posture is checked by startSyncServer before serving; an org's dedicated ones when first opened.
  const databases = await openDatabases(options.database, log, { refuseUnsafeLogging: options.requireSafePostgresLogging === true });
  let bus: PokeBus | undefined;
  try {
    // One poke per org and domain per window, from this process (bus/poke-coalescing.ts).
    bus = coalescePokes(options.bus?.kind === 'nats' ? await createNatsBus(options.bus.servers, log) : createMemoryBus(), options.pokeWindowMs);
    const services = createServices(databases, bus, log, options.protocolVersion, vaultKeys, options.limits, options.signInThrottle);
    const admin = createServerAdmin(services, databases);
    const runningBus = bus;
    let closing: Promise<void> | undefined;
    return {
      databases,
      bus,
      services,
      admin,
      close: () =>
        (closing ??= (async () => {
          // The aggregated audit of calls refused early is written before its database closes.
          await services.limits?.close();
          await runningBus.close();
          await databases.close();
        })()),
    };
  } catch (error) {
    await bus?.close().catch(() => undefined);
    await databases.close().catch(() => undefined);
    throw error;
  }
}

/** Opens the server core, seeds the demo if asked, and serves HTTP + WebSocket. */
export async function startSyncServer(options: SyncServerOptions): Promise<SyncServerHandle> {
  // Every event logged while a request is handled carries its request id (observability/request-scope.ts).
  const log = withRequestIds(options.log ?? silentLogger);
  const host = options.host ?? '127.0.0.1';
  // Before anything is opened: a malformed entry stops the start here.
  const proxies = trustedProxies(options.trustedProxies ?? []);
  const core = await openServerCore({ ...options, log });
  const { databases, bus, services, admin } = core;
  let eventBus: EventBus | undefined;
  let automation: Automation | undefined;
  let operator: OperatorSocket | undefined;
  let observability: Observability | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    // Before serving: would PostgreSQL write the patient data we send it to its own log?
    await checkPostgresLogPosture(databases, log, { refuse: options.requireSafePostgresLogging === true });
    // Serving with vault keys this server cannot unwrap would fail every credential use later: refuse now.
    await checkVaultMasterKeys(databases.domains.configuration, services.vault.secrets.keyWrapperOrNull());
    const demo = options.seedDemo ? await seedDemo(services, admin) : null;
    // Background work runs in the server only, never in an admin command's core.
    eventBus = await openEventBus(options.bus, log);
    automation = await startAutomation(services, eventBus, options.automation);
    const running = { eventBus, automation };
    // Before HTTP, so a socket that cannot be taken (another server has it) fails the start cleanly.
    operator = options.operatorSocket
      ? await startOperatorSocket(options.operatorSocket, { core, deployment: deploymentKey(options.database) }, log)
      : undefined;
    const operatorSocket = operator;
    const observed = (observability = createObservability({ databases, bus, log }, options.metrics));
    const metrics = (metricsServer = options.metrics?.listen ? await startMetricsServer(observed.metrics.registry, options.metrics.listen, log) : undefined);
    const http = await startHttp(services, host, options.port ?? 0, observed, proxies);
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${http.port}`;
    log({ level: 'info', event: 'server_started', port: http.port, engine: databases.engine, bus: bus.kind });
    let closing: Promise<void> | undefined;
    return {
      url,
      port: http.port,
      admin,
      demo,
      databases,
      automation,
      operatorSocket: operatorSocket?.path ?? null,
      metricsUrl: metrics?.url ?? null,
      close: () =>
        (closing ??= (async () => {
          await operatorSocket?.close();
          await http.close();
          await metrics?.close();
          observed.close();
          await running.automation.stop();
          await running.eventBus.close();
          await core.close();
          log({ level: 'info', event: 'server_stopped' });
        })()),
    };
  } catch (error) {
    await operator?.close().catch(() => undefined);
    await metricsServer?.close().catch(() => undefined);
    observability?.close();
    await automation?.stop().catch(() => undefined);
    await eventBus?.close().catch(() => undefined);
    await core.close().catch(() => undefined);
    throw error;
  }
}
