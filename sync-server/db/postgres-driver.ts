import pg from 'pg';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { absentDomainDb, type DomainDb, type DomainRoles, type PhysicalDatabases, type PoolStat, type Statement } from './domain-db.ts';
import { migrateDomain, type AdminTransaction } from './migrations.ts';
import { assertPrefix, connectionUrl, databaseName } from './postgres-urls.ts';
import { APP_ROLE_ATTRIBUTES, ensureRole, ensureRoleSettings, grantDomainAccess, SYSTEM_ROLE_ATTRIBUTES } from './roles.ts';
import { ident, type AdminSql, type Sql } from './sql.ts';
import { StatementNames } from './statement-names.ts';
import { StatementTally } from './statement-tally.ts';
import { assertTenantId, beginTenantSql } from './tenant-setting.ts';

export interface PostgresOptions {
  adminUrl: string;
  databasePrefix: string;
  /** Connections per domain for tenant-scoped work (8 domains × this, per replica); default DEFAULT_APP_POOL_SIZE. */
  poolSize?: number;
  /** Connections per domain for system access; default DEFAULT_SYSTEM_POOL_SIZE. */
  systemPoolSize?: number;
  /**
   * Where request traffic connects (a transaction-mode pooler such as PgBouncer), if not
   * straight to the server. Migrations and grants always use adminUrl.
   */
  poolerUrl?: string;
  /** The domains to hold (default all eight; an org's dedicated deployment holds its own domains only). */
  domains?: readonly Domain[];
  onSystemAccess?: (domain: Domain, reason: string) => void;
}

/**
 * Pool sizes per domain database and process (CLINICSYNC_DB_POOL_SIZE and
 * CLINICSYNC_DB_SYSTEM_POOL_SIZE). pg opens connections on demand and closes idle ones
 * after 10 s, so these are ceilings, reached only under load. The budget: one process may
 * hold 8 domains × (app + system) + 1 (serving lease) connections, 8 × (4 + 2) + 1 = 49
 * with the defaults, so two processes fit under PostgreSQL's default max_connections of
 * 100 with nothing to spare. A larger pool or more processes needs a larger
 * max_connections or a pooler (poolerUrl). Every request uses tenant_info (entry) and
 * audit besides its own domain, so those pools fill first (docs/scale.md, "Throughput").
 */
export const DEFAULT_APP_POOL_SIZE = 4;
export const DEFAULT_SYSTEM_POOL_SIZE = 2;

/**
 * The production engine: one database per domain, each with the domain's schema.
 * Migrations and grants run as the admin user; request handling connects as
 * `<prefix>_app` (not superuser, not owner, not BYPASSRLS) and system access as
 * `<prefix>_system` (BYPASSRLS, DML only) over a separate small pool, so the app
 * connection has no way to lift row-level security. Both roles log in without a password
 * here (trust auth on our machines); a deployment gives them secrets through its URL.
 */
export async function openPostgresDatabases(options: PostgresOptions): Promise<PhysicalDatabases> {
  assertPrefix(options.databasePrefix);
  const held = options.domains ?? DOMAINS;
  const roles = postgresRoles(options.databasePrefix);
  await provision(options, roles, held);

  const pools: pg.Pool[] = [];
  // A transaction-mode pooler hands each transaction any server connection, where a statement prepared on another is unknown.
  const names = options.poolerUrl ? null : STATEMENT_NAMES;
  const labelled: { domain: Domain; pool: PoolStat['pool']; of: pg.Pool }[] = [];
  const adminPools = new Map<Domain, pg.Pool>();
  const tally = new StatementTally();
  const domains = Object.fromEntries(DOMAINS.map((domain) => [domain, absentDomainDb(domain)])) as Record<Domain, DomainDb>;
  for (const domain of held) {
    const database = databaseName(options.databasePrefix, domain);
    const trafficUrl = options.poolerUrl ?? options.adminUrl;
    const appPool = new pg.Pool({ connectionString: connectionUrl(trafficUrl, database, roles.app), max: options.poolSize ?? DEFAULT_APP_POOL_SIZE });
    const systemPool = new pg.Pool({ connectionString: connectionUrl(trafficUrl, database, roles.system), max: options.systemPoolSize ?? DEFAULT_SYSTEM_POOL_SIZE });
    for (const pool of [appPool, systemPool]) pool.on('error', () => undefined); // idle-client errors surface on next use
    pools.push(appPool, systemPool);
    labelled.push({ domain, pool: 'app', of: appPool }, { domain, pool: 'system', of: systemPool });
    const countApp = tally.counter(domain, 'app');
    const countSystem = tally.counter(domain, 'system');
    const system = <T>(reason: string, fn: (sql: Sql) => Promise<T>): Promise<T> => {
      options.onSystemAccess?.(domain, reason);
      return inTransaction(systemPool, (client) => fn(sqlOf(client, names, countSystem)), 'BEGIN', countSystem);
    };
    // One physical database: every org named is here, so the batch is one statement.
    const appStatementAcross = async <Row extends object>(tenantIds: readonly string[], statementFor: (tenantIds: readonly string[]) => Statement) => {
      for (const tenantId of tenantIds) assertTenantId(tenantId);
      const { text, params } = statementFor(tenantIds);
      countApp();
      // Pool.query: one statement on a free app connection, in its own implicit transaction.
      return (await appPool.query<Row & pg.QueryResultRow>(statement(text, params, names))).rows;
    };
    domains[domain] = {
      domain,
      // BEGIN, the snapshot mode (before the first query, which takes the snapshot) and the
      // tenant setting go in one round trip (tenant-setting.ts).
      withTenant: (tenantId, fn, options) =>
        inTransaction(appPool, (client) => fn(sqlOf(client, names, countApp)), beginTenantSql(tenantId, options?.snapshot === true), countApp),
      appStatement: (tenantId, text, params) => appStatementAcross([tenantId], () => ({ text, params })),
      appStatementAcross,
      system,
      // One physical deployment: the org's data is here, so per-org system work is plain system work.
      systemForTenant: (tenantId, reason, fn) => {
        assertTenantId(tenantId);
        return system(reason, fn);
      },
    };
  }

  const adminPoolOf = (domain: Domain): pg.Pool => {
    let pool = adminPools.get(domain);
    if (!pool) {
      pool = new pg.Pool({ connectionString: connectionUrl(options.adminUrl, databaseName(options.databasePrefix, domain)), max: 1 });
      pool.on('error', () => undefined);
      adminPools.set(domain, pool);
    }
    return pool;
  };

  return {
    engine: 'postgres',
    held,
    domains,
    rolesOf: () => roles,
    poolStats: () => labelled.map(({ domain, pool, of }) => ({ domain, pool, total: of.totalCount, idle: of.idleCount, waiting: of.waitingCount })),
    statementCounts: () => tally.snapshot(),
    // Through the pools themselves (and so through the pooler when there is one), not counted: start-up only.
    sessionSettings: async (settingNames) => {
      const perPool = await Promise.all(
        labelled.map(async ({ domain, pool, of }) => {
          const result = await of.query<{ name: string; value: string | null }>('SELECT name, current_setting(name, true) AS value FROM unnest($1::text[]) AS name', [[...settingNames]]);
          return result.rows.map((row) => ({ domain, pool, name: row.name, value: row.value }));
        }),
      );
      return perPool.flat();
    },
    inspect: async (domain, fn) => {
      if (!held.includes(domain)) throw new Error(`the ${domain} domain is not held by this database deployment`);
      return inTransaction(adminPoolOf(domain), (client) => fn(sqlOf(client)));
    },
    close: async () => {
      await Promise.all([...pools, ...adminPools.values()].map((pool) => pool.end()));
    },
  };
}

export function postgresRoles(prefix: string): DomainRoles {
  return { app: `${prefix}_app`, system: `${prefix}_system` };
}

/** Creates the domain databases and roles if missing, migrates, and grants. */
async function provision(options: PostgresOptions, roles: DomainRoles, held: readonly Domain[]): Promise<void> {
  const admin = new pg.Client({ connectionString: options.adminUrl });
  await admin.connect();
  try {
    const adminSql = sqlOf(admin);
    await ensureRole(adminSql, roles.app, `LOGIN ${APP_ROLE_ATTRIBUTES}`);
    await ensureRole(adminSql, roles.system, `LOGIN ${SYSTEM_ROLE_ATTRIBUTES}`);
    for (const role of [roles.app, roles.system]) await ensureRoleSettings(adminSql, role);
    for (const domain of held) {
      const database = databaseName(options.databasePrefix, domain);
      const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (found.rowCount === 0) {
        try {
          await admin.query(`CREATE DATABASE ${ident(database)}`);
        } catch (error) {
          if ((error as { code?: unknown }).code !== '42P04') throw error; // another replica won the race
        }
      }
      // Only our two roles may connect; other deployments on the same server may not.
      await admin.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM PUBLIC`);
      await admin.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${ident(roles.app)}, ${ident(roles.system)}`);
    }
  } finally {
    await admin.end();
  }
  for (const domain of held) {
    const client = new pg.Client({ connectionString: connectionUrl(options.adminUrl, databaseName(options.databasePrefix, domain)) });
    await client.connect();
    try {
      const transaction: AdminTransaction = (fn) => inClientTransaction(client, (c) => fn(sqlOf(c)));
      await migrateDomain(domain, transaction);
      await transaction((sql) => grantDomainAccess(sql, domain, roles));
    } finally {
      await client.end();
    }
  }
}

async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN', count = NOT_COUNTED): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await inClientTransaction(client, fn, begin, count);
  } catch (error) {
    if ((error as { rollbackFailed?: boolean }).rollbackFailed) broken = error as Error;
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Statements of admin work are not counted (statement-tally.ts). */
const NOT_COUNTED = (): void => undefined;

/**
 * `begin`: the statement(s) that open the transaction (beginTenantSql for tenant scope),
 * sent as one message; `count`: called once per message sent (statement-tally.ts).
 */
async function inClientTransaction<C extends pg.ClientBase, T>(client: C, fn: (client: C) => Promise<T>, begin = 'BEGIN', count = NOT_COUNTED): Promise<T> {
  try {
    // Inside the try: if a later statement of a multi-statement begin failed, the open transaction must be rolled back.
    count();
    await client.query(begin);
    const result = await fn(client);
    count();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      count();
      await client.query('ROLLBACK');
    } catch {
      // The connection is unusable; the pool must discard it rather than hand it out again.
      if (error && typeof error === 'object') Object.assign(error, { rollbackFailed: true });
    }
    throw error;
  }
}

/** Request traffic's statements are named (prepared once per connection); see statement-names.ts. */
const STATEMENT_NAMES = new StatementNames();

function statement(text: string, params: readonly unknown[], names: StatementNames | null): pg.QueryConfig {
  // Without parameters the text goes by the simple protocol, which may carry several statements; a prepared one may not.
  const name = params.length > 0 ? names?.nameOf(text) : undefined;
  return name === undefined ? { text, values: [...params] } : { name, text, values: [...params] };
}

/**
 * `names`: prepare statements under these names (request traffic straight to PostgreSQL); null: unnamed (admin work, or behind a pooler).
 * `count`: called once per statement sent (statement-tally.ts).
 */
function sqlOf(client: pg.ClientBase, names: StatementNames | null = null, count = NOT_COUNTED): AdminSql & Sql {
  return {
    query: async <Row extends object>(text: string, params: readonly unknown[] = []) => {
      count();
      return (await client.query<Row & pg.QueryResultRow>(statement(text, params, names))).rows;
    },
    execute: async (text, params = []) => {
      count();
      return (await client.query(statement(text, params, names))).rowCount ?? 0;
    },
    exec: async (script) => {
      count();
      await client.query(script);
    },
  };
}
