import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOMAINS } from '../../shared/domains.ts';
import { requirePgBouncer, startPgBouncer } from '../../test/support/pgbouncer.ts';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { dedicatedTarget } from '../placement/placement-target.ts';
import type { PlacementSettings } from '../placement/tenant-placements.ts';
import { TenantDirectory } from '../domains/tenant_info/tenants.ts';
import { silentLogger, type LogEvent, type Logger } from '../log.ts';
import { startSyncServer } from '../server.ts';
import type { DatabaseSet } from './domain-db.ts';
import { checkPostgresLogPosture, UnsafePostgresLoggingError } from './log-posture.ts';
import { openDatabases, type DatabaseOptions } from './open-databases.ts';
import { dropPostgresDeployment } from './postgres-admin.ts';
import { postgresRoles } from './postgres-driver.ts';
import { connectionUrl, databaseName } from './postgres-urls.ts';
import { ident } from './sql.ts';

const postgresHere = await requirePostgres('sync-server/db/log-posture (PostgreSQL)');

/**
 * Every posture setting at its safe value, set on each test database so the server's own
 * configuration does not decide the outcome; log_parameter_max_length(_on_error) stay at
 * -1 (full parameters), so a statement-logging setting is risky and the on-error one is
 * safe only through the role default the server sets.
 */
const BASELINE: Record<string, string> = {
  log_statement: 'none',
  log_min_duration_statement: '-1',
  log_min_duration_sample: '-1',
  log_transaction_sample_rate: '0',
  log_parameter_max_length: '-1',
  log_parameter_max_length_on_error: '-1',
  debug_print_plan: 'off',
};

describe.skipIf(!postgresHere)('PostgreSQL logging posture at start-up (PostgreSQL)', () => {
  const adminUrl = testPostgresUrl();
  const prefix = `cs_t${randomBytes(5).toString('hex')}`;
  const roles = postgresRoles(prefix);
  const database: DatabaseOptions = { kind: 'postgres', adminUrl, databasePrefix: prefix };
  let tenantId: string;

  async function admin(statements: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      for (const text of statements) await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** ALTER DATABASE … SET on every domain database of the deployment (the baseline, then `settings`). */
  const setOnDatabases = (settings: Record<string, string>) =>
    admin(
      DOMAINS.flatMap((domain) =>
        Object.entries({ ...BASELINE, ...settings }).map(([name, value]) => `ALTER DATABASE ${ident(databaseName(prefix, domain))} SET ${name} = '${value}'`),
      ),
    );

  async function withDatabases<T>(fn: (dbs: DatabaseSet) => Promise<T>, options: DatabaseOptions = database, log: Logger = silentLogger, settings: PlacementSettings = {}): Promise<T> {
    const dbs = await openDatabases(options, log, settings);
    try {
      return await fn(dbs);
    } finally {
      await dbs.close();
    }
  }

  async function posture(): Promise<{ findings: unknown[]; lines: LogEvent[] }> {
    const lines: LogEvent[] = [];
    const findings = await withDatabases((dbs) => checkPostgresLogPosture(dbs, (event) => lines.push(event), { refuse: false }));
    return { findings, lines };
  }

  beforeAll(async () => {
    await withDatabases(async (dbs) => {
      tenantId = (await new TenantDirectory(dbs.domains.tenant_info).create({ code: 'log-posture', name: 'Log posture org', kind: 'human' })).id;
    });
  });

  afterEach(async () => {
    await admin(
      DOMAINS.flatMap((domain) => [
        `ALTER DATABASE ${ident(databaseName(prefix, domain))} RESET ALL`,
        `ALTER ROLE ${ident(roles.app)} IN DATABASE ${ident(databaseName(prefix, domain))} RESET ALL`,
      ]),
    );
  });

  afterAll(async () => {
    await dropPostgresDeployment(adminUrl, prefix);
    const dedicated = dedicatedTarget(database, tenantId);
    if (dedicated.engine === 'postgres') await dropPostgresDeployment(adminUrl, dedicated.databasePrefix);
  });

  it('reports nothing for a database whose settings keep bind parameters out of the log', async () => {
    await setOnDatabases({});
    expect(await posture()).toEqual({ findings: [], lines: [] });
  });

  it('reports exactly the risky settings, one warning line each, with the value and the safe value', async () => {
    await setOnDatabases({ log_min_duration_statement: '0', log_statement: 'mod' });
    // More specific than the role default the server sets: only this database's app pool sees it.
    await admin([`ALTER ROLE ${ident(roles.app)} IN DATABASE ${ident(databaseName(prefix, 'master_data'))} SET log_parameter_max_length_on_error = 64`]);
    const { findings, lines } = await posture();
    expect(findings).toHaveLength(3);
    expect(lines.map(({ level, event, setting, value, safe, seenBy }) => ({ level, event, setting, value, safe, seenBy }))).toEqual([
      { level: 'warn', event: 'postgres_log_posture', setting: 'log_statement', value: 'mod', safe: 'none', seenBy: 'all' },
      { level: 'warn', event: 'postgres_log_posture', setting: 'log_min_duration_statement', value: '0', safe: '-1', seenBy: 'all' },
      { level: 'warn', event: 'postgres_log_posture', setting: 'log_parameter_max_length_on_error', value: '64B', safe: '0', seenBy: 'master_data:app' },
    ]);
    // The line says what the operator sets.
    expect(lines[1]?.fix).toMatch(/log_min_duration_statement = -1.*log_parameter_max_length = 0/);
  });

  it('accepts statement logging without parameters (log_parameter_max_length = 0)', async () => {
    await setOnDatabases({ log_statement: 'all', log_min_duration_statement: '0', log_parameter_max_length: '0' });
    expect(await posture()).toEqual({ findings: [], lines: [] });
  });

  it('gives the app and system roles log_parameter_max_length_on_error = 0 although the database default is -1, direct and through PgBouncer', async () => {
    await setOnDatabases({});
    const read = (dbs: DatabaseSet) =>
      Promise.all([
        dbs.domains.master_data.withTenant(tenantId, (sql) => sql.query<{ v: string }>(`SELECT current_setting('log_parameter_max_length_on_error') AS v`)),
        dbs.domains.master_data.system('log posture test', (sql) => sql.query<{ v: string }>(`SELECT current_setting('log_parameter_max_length_on_error') AS v`)),
      ]).then((results) => results.map((rows) => rows[0]?.v));
    // The control: another role on the same database sees the database default.
    const owner = new pg.Client({ connectionString: connectionUrl(adminUrl, databaseName(prefix, 'master_data')) });
    await owner.connect();
    try {
      expect((await owner.query(`SELECT current_setting('log_parameter_max_length_on_error') AS v`)).rows[0].v).toBe('-1');
    } finally {
      await owner.end();
    }
    expect(await withDatabases(read)).toEqual(['0', '0']);

    if (!requirePgBouncer('sync-server/db/log-posture (through PgBouncer)')) return;
    const upstream = new URL(adminUrl);
    const bouncer = await startPgBouncer({ upstream: { host: upstream.hostname || '127.0.0.1', port: Number(upstream.port || 5432) }, users: [roles.app, roles.system], poolSize: 2 });
    try {
      expect(await withDatabases(read, { ...database, poolerUrl: bouncer.urlFor(adminUrl) })).toEqual(['0', '0']);
    } finally {
      await bouncer.stop();
    }
  });

  it("checks an org's dedicated databases when the server first opens them: a warning naming them, or not used under the requirement", async () => {
    await setOnDatabases({});
    const target = dedicatedTarget(database, tenantId);
    if (target.engine !== 'postgres') throw new Error('expected a PostgreSQL target');
    // First open creates them, at the cluster's defaults: nothing to report.
    const quiet: LogEvent[] = [];
    await withDatabases((dbs) => dbs.placements.dedicatedDatabasesOf(tenantId), database, (event) => quiet.push(event));
    expect(quiet.filter((line) => line.event === 'postgres_log_posture')).toEqual([]);

    // Their server logs every statement with its parameters (the shared databases stay safe).
    const scheduling = ident(databaseName(target.databasePrefix, 'scheduling'));
    await admin([`ALTER DATABASE ${scheduling} SET log_min_duration_statement = '0'`]);
    try {
      const lines: LogEvent[] = [];
      await withDatabases((dbs) => dbs.placements.dedicatedDatabasesOf(tenantId), database, (event) => lines.push(event));
      expect(lines.filter((line) => line.event === 'postgres_log_posture').map(({ level, setting, value, seenBy, deployment }) => ({ level, setting, value, seenBy, deployment }))).toEqual([
        { level: 'warn', setting: 'log_min_duration_statement', value: '0', seenBy: 'scheduling:app, scheduling:system', deployment: target.databasePrefix },
      ]);

      // Under CLINICSYNC_REQUIRE_SAFE_PG_LOGGING the org's databases are not used, each time they are asked for.
      await withDatabases(
        async (dbs) => {
          for (let attempt = 0; attempt < 2; attempt++) {
            const opened = dbs.placements.dedicatedDatabasesOf(tenantId);
            await expect(opened).rejects.toThrow(UnsafePostgresLoggingError);
            await expect(opened).rejects.toThrow(`PostgreSQL (the dedicated databases ${target.databasePrefix}_*) would write bind parameters`);
          }
          // Once the setting is fixed, the next use opens them (a failed open is not remembered).
          await admin([`ALTER DATABASE ${scheduling} RESET ALL`]);
          expect((await dbs.placements.dedicatedDatabasesOf(tenantId)).engine).toBe('postgres');
        },
        database,
        silentLogger,
        { refuseUnsafeLogging: true },
      );
    } finally {
      await admin([`ALTER DATABASE ${scheduling} RESET ALL`]);
    }
  });

  it('refuses to start under CLINICSYNC_REQUIRE_SAFE_PG_LOGGING=1, and only warns without it', async () => {
    await setOnDatabases({ log_min_duration_statement: '250' });
    const env = {
      CLINICSYNC_DATABASE_URL: adminUrl,
      CLINICSYNC_DATABASE_PREFIX: prefix,
      CLINICSYNC_PORT: '0',
      CLINICSYNC_SEED_DEMO: '0',
      CLINICSYNC_OPERATOR_SOCKET: 'off',
    };
    expect(() => loadConfig({ ...env, CLINICSYNC_REQUIRE_SAFE_PG_LOGGING: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...env, CLINICSYNC_REQUIRE_SAFE_PG_LOGGING: 'yes' })).toThrow(/CLINICSYNC_REQUIRE_SAFE_PG_LOGGING/);

    const refused = startSyncServer({ ...loadConfig({ ...env, CLINICSYNC_REQUIRE_SAFE_PG_LOGGING: '1' }), log: silentLogger });
    await expect(refused).rejects.toThrow(UnsafePostgresLoggingError);
    await expect(refused).rejects.toThrow(/CLINICSYNC_REQUIRE_SAFE_PG_LOGGING=1:\n {2}log_min_duration_statement = 250ms \(seen by all\); set log_min_duration_statement = -1/);

    const lines: LogEvent[] = [];
    const server = await startSyncServer({ ...loadConfig(env), log: (event) => lines.push(event) });
    await server.close();
    expect(lines.filter((line) => line.event === 'postgres_log_posture').map((line) => [line.setting, line.value])).toEqual([['log_min_duration_statement', '250ms']]);
    expect(lines.some((line) => line.event === 'server_started')).toBe(true);
  });
});
