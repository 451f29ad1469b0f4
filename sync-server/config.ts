import { z } from 'zod';
import { limitsEnvShape, limitsFromEnv } from './limits/limits-env.ts';
import { SignInThrottleConfigError, signInThrottleEnvShape, signInThrottleFromEnv } from './auth/sign-in-throttle-env.ts';
import { trustedProxiesEnvShape } from './auth/trusted-proxies-env.ts';
import { metricsEnvShape, metricsFromEnv, MetricsConfigError } from './observability/metrics-env.ts';
import { MAX_POKE_WINDOW_MS } from './bus/poke-coalescing.ts';
import { operatorSocketPath } from './operator/socket-path.ts';
import type { SyncServerOptions } from './server.ts';
import { MasterKeyError } from './vault/master-keyring.ts';
import { vaultFromEnv, type VaultOptions } from './vault/vault-config.ts';

const flag = z.enum(['0', '1', 'true', 'false']).transform((value) => value === '1' || value === 'true');

const envSchema = z.object({
  CLINICSYNC_HOST: z.string().min(1).default('127.0.0.1'),
  CLINICSYNC_PORT: z.coerce.number().int().min(0).max(65_535).default(4300),
  CLINICSYNC_DATA_DIR: z.string().min(1).default('.data/server'),
  CLINICSYNC_DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL')
    .optional(),
  /**
   * A transaction-mode pooler (PgBouncer) in front of the same PostgreSQL, for request
   * traffic only: migrations, role set-up and moves keep the direct URL (they need session
   * state a transaction pooler does not keep). Its user and database are replaced per
   * domain and role, as the direct URL's are (db/postgres-urls.ts).
   */
  CLINICSYNC_DATABASE_POOLER_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL')
    .optional(),
  CLINICSYNC_DATABASE_PREFIX: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'must be lower-case letters, digits and _').default('clinicsync'),
  /** PostgreSQL connections per domain database and process: app (requests) and system pools (docs/scale.md, "Throughput"). */
  CLINICSYNC_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  CLINICSYNC_DB_SYSTEM_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  CLINICSYNC_NATS_URL: z
    .string()
    .refine((value) => /^(nats|tls|wss?):\/\//.test(value), 'must be a nats:// URL')
    .optional(),
  CLINICSYNC_SEED_DEMO: flag.default(true),
  /** Pokes of one org and domain within this many ms are merged into one (bus/poke-coalescing.ts); 0 pokes every write. */
  CLINICSYNC_POKE_WINDOW_MS: z.coerce.number().int().min(0).max(MAX_POKE_WINDOW_MS).optional(),
  /** Refuse to start when PostgreSQL would log bind parameters (db/log-posture.ts); otherwise it is a warning. */
  CLINICSYNC_REQUIRE_SAFE_PG_LOGGING: flag.default(false),
  /** The operator socket's path, or "off"; default <CLINICSYNC_DATA_DIR>/admin.sock. */
  CLINICSYNC_OPERATOR_SOCKET: z.string().min(1).optional(),
  /** The metrics endpoint: CLINICSYNC_METRICS_PORT / _HOST / _TOKEN (docs/scale.md, "Observability"). */
  ...metricsEnvShape,
  /** Back-pressure: CLINICSYNC_LIMITS=on|off and CLINICSYNC_LIMIT_* (docs/scale.md). */
  ...limitsEnvShape,
  /** The sign-in throttle: CLINICSYNC_SIGNIN_THROTTLE=on|off and CLINICSYNC_SIGNIN_* (sync-server/auth/sign-in-throttle-env.ts). */
  ...signInThrottleEnvShape,
  /** CLINICSYNC_TRUSTED_PROXIES: whose X-Forwarded-For names the client (sync-server/auth/trusted-proxies-env.ts). */
  ...trustedProxiesEnvShape,
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The server's whole configuration, from the environment, validated once at start-up.
 * Errors name the variable and the rule, never the value (a URL may hold a password).
 */
export function loadConfig(env: Record<string, string | undefined>): SyncServerOptions {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid sync server configuration:\n  ${problems.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.CLINICSYNC_DATABASE_POOLER_URL && !c.CLINICSYNC_DATABASE_URL) {
    throw new ConfigError('Invalid sync server configuration:\n  CLINICSYNC_DATABASE_POOLER_URL: needs CLINICSYNC_DATABASE_URL (the pooler fronts that PostgreSQL)');
  }
  let vault: VaultOptions | undefined;
  let metrics;
  let signInThrottle;
  try {
    metrics = metricsFromEnv(c);
    signInThrottle = signInThrottleFromEnv(c);
    // The demo (seeded, embedded or not) gets a generated keyring in its data folder; production names its own.
    vault = vaultFromEnv(env, c.CLINICSYNC_SEED_DEMO ? c.CLINICSYNC_DATA_DIR : null);
  } catch (error) {
    if (error instanceof MasterKeyError || error instanceof MetricsConfigError || error instanceof SignInThrottleConfigError) throw new ConfigError(`Invalid sync server configuration:\n  ${error.message}`);
    throw error;
  }
  return {
    host: c.CLINICSYNC_HOST,
    port: c.CLINICSYNC_PORT,
    database: c.CLINICSYNC_DATABASE_URL
      ? {
          kind: 'postgres',
          adminUrl: c.CLINICSYNC_DATABASE_URL,
          databasePrefix: c.CLINICSYNC_DATABASE_PREFIX,
          ...(c.CLINICSYNC_DB_POOL_SIZE !== undefined ? { poolSize: c.CLINICSYNC_DB_POOL_SIZE } : {}),
          ...(c.CLINICSYNC_DB_SYSTEM_POOL_SIZE !== undefined ? { systemPoolSize: c.CLINICSYNC_DB_SYSTEM_POOL_SIZE } : {}),
          ...(c.CLINICSYNC_DATABASE_POOLER_URL ? { poolerUrl: c.CLINICSYNC_DATABASE_POOLER_URL } : {}),
        }
      : { kind: 'pglite', dataDir: c.CLINICSYNC_DATA_DIR },
    bus: c.CLINICSYNC_NATS_URL ? { kind: 'nats', servers: c.CLINICSYNC_NATS_URL } : { kind: 'memory' },
    ...(c.CLINICSYNC_POKE_WINDOW_MS !== undefined ? { pokeWindowMs: c.CLINICSYNC_POKE_WINDOW_MS } : {}),
    seedDemo: c.CLINICSYNC_SEED_DEMO,
    operatorSocket: operatorSocketPath(c.CLINICSYNC_OPERATOR_SOCKET, c.CLINICSYNC_DATA_DIR, {}),
    limits: limitsFromEnv(c),
    signInThrottle,
    trustedProxies: c.CLINICSYNC_TRUSTED_PROXIES,
    metrics,
    ...(c.CLINICSYNC_REQUIRE_SAFE_PG_LOGGING ? { requireSafePostgresLogging: true } : {}),
    ...(vault ? { vault } : {}),
  };
}

/** A secret-free one-line description of the configuration, for the start-up banner. */
export function describeConfig(options: SyncServerOptions): string {
  const db = options.database.kind === 'postgres' ? `postgres (prefix ${options.database.databasePrefix}${options.database.poolerUrl ? ', requests through a pooler' : ''})` : `pglite (${options.database.dataDir ?? 'in memory'})`;
  const vault = options.vault ? `${options.vault.masterKey.kind === 'env' ? 'master key from the environment' : `master key file ${options.vault.masterKey.path}`}` : 'off (no master key)';
  const listen = options.metrics?.listen;
  const metrics = listen ? `http://${listen.host}:${listen.port}/metrics${listen.token ? ' (bearer token)' : ''}` : 'off';
  const proxies = options.trustedProxies?.length ?? 0;
  return `database: ${db}; bus: ${options.bus?.kind ?? 'memory'}; demo seed: ${options.seedDemo ? 'on' : 'off'}; vault: ${vault}; metrics: ${metrics}; trusted proxies: ${proxies === 0 ? 'none' : `${proxies} entr${proxies === 1 ? 'y' : 'ies'}`}`;
}
