import { uuidv7 } from '../../shared/ids.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import type { SignInThrottleOptions } from '../auth/sign-in-throttle-options.ts';
import { createMemoryBus } from '../bus/memory-bus.ts';
import type { LogEvent } from '../log.ts';
import { startSyncServer, type SyncServerHandle } from '../server.ts';
import { createServices, type Services } from '../services.ts';
import { freshDatabase, type TestDatabase, type TestEngine } from './engines.ts';
import { closeClientSockets, syncClient } from './harness.ts';

/** How a sign-in ended, as a client sees it: the fields the throttle's answers differ in. */
export interface SignInAnswer {
  ok: boolean;
  code?: string | undefined;
  status?: number | undefined;
  message?: string;
  retryAfterMs?: number | undefined;
}

export async function answerOf(call: Promise<unknown>): Promise<SignInAnswer> {
  try {
    await call;
    return { ok: true };
  } catch (error) {
    const e = error as { message: string; data?: { appCode?: string; httpStatus?: number; retryAfterMs?: number } };
    return { ok: false, code: e.data?.appCode, status: e.data?.httpStatus, message: e.message, retryAfterMs: e.data?.retryAfterMs };
  }
}

/** auth.signIn over HTTP from a fresh device. */
export const signInAnswer = (url: string, login: { org: string; username: string; password: string }): Promise<SignInAnswer> =>
  answerOf(syncClient(url).auth.signIn.mutate({ protocolVersion: PROTOCOL_VERSION, ...login, deviceId: uuidv7() }));

export interface ThrottledServers {
  db: TestDatabase;
  /** Logs into `logs`. */
  server: SyncServerHandle;
  /** A second server process on the same database (PostgreSQL only: a PGlite database belongs to one process). */
  second: SyncServerHandle | null;
  /** Services of their own on the same databases (another instance, on PGlite too), not logging. */
  other: Services;
  close(): Promise<void>;
}

/** A fresh database with a server (and, on PostgreSQL, a second one) running the sign-in throttle with these options. */
export async function startThrottledServers(engine: TestEngine, options: SignInThrottleOptions, logs: LogEvent[]): Promise<ThrottledServers> {
  const db = await freshDatabase(engine);
  const common = { port: 0, database: db.options, limits: false as const, signInThrottle: options };
  const server = await startSyncServer({ ...common, log: (event) => logs.push(event) });
  const second = engine.name === 'postgres' ? await startSyncServer(common) : null;
  const other = createServices(server.databases, createMemoryBus(), () => undefined, PROTOCOL_VERSION, null, false, options);
  return {
    db,
    server,
    second,
    other,
    close: async () => {
      await closeClientSockets();
      await second?.close();
      await server.close();
      await db.drop();
    },
  };
}
