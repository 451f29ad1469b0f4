import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { lockDataFolder } from './folder-lock.ts';
import { absentDomainDb, type DomainDb, type DomainRoles, type PhysicalDatabases, type Statement } from './domain-db.ts';
import { migrateDomain, type AdminTransaction } from './migrations.ts';
import { APP_ROLE_ATTRIBUTES, ensureRole, grantDomainAccess, SYSTEM_ROLE_ATTRIBUTES } from './roles.ts';
import { ident, type AdminSql } from './sql.ts';
import { StatementTally } from './statement-tally.ts';
import { assertTenantId, SET_TENANT_SQL, SNAPSHOT_SQL } from './tenant-setting.ts';

export interface PgliteOptions {
  /** Folder to persist in; undefined keeps the database in memory. */
  dataDir?: string;
  /** A migrated data directory to start from (tests use one template instead of initdb each time). */
  loadDataDir?: Blob;
  /** The domains to hold (default all eight; an org's dedicated instance holds its own domains only). */
  domains?: readonly Domain[];
  onSystemAccess?: (domain: Domain, reason: string) => void;
}

/**
 * The embedded engine. One PGlite instance costs ~300 MB and seconds to start, so all
 * eight domains share ONE instance, each in its own schema. Isolation between domains
 * is kept by roles instead of separate databases: every domain has its own app role and
 * system role, and each is granted USAGE on its own schema only. A domain's queries run
 * after `SET LOCAL ROLE <its role>`, so the scheduling service physically cannot read
 * master_data (permission denied), just as it could not across databases on PostgreSQL.
 */
export async function openPgliteDatabases(options: PgliteOptions): Promise<PhysicalDatabases> {
  const held = options.domains ?? DOMAINS;
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const lock = options.dataDir ? lockDataFolder(options.dataDir) : null;
  let db: PGlite;
  try {
    db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir && !options.dataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  try {
    await preparePglite(db, held);
  } catch (error) {
    await db.close();
    lock?.release();
    throw error;
  }
  const tally = new StatementTally();
  const domains = Object.fromEntries(
    DOMAINS.map((domain) => [domain, held.includes(domain) ? pgliteDomainDb(db, domain, tally, options.onSystemAccess) : absentDomainDb(domain)]),
  ) as Record<Domain, DomainDb>;
  return {
    engine: 'pglite',
    held,
    domains,
    rolesOf: pgliteRoles,
    statementCounts: () => tally.snapshot(),
    inspect: async (domain, fn) => {
      if (!held.includes(domain)) throw new Error(`the ${domain} domain is not held by this database deployment`);
      return adminTransaction(db)(fn);
    },
    close: async () => {
      await db.close();
      lock?.release();
    },
  };
}

/** Migrations and roles for every domain held; idempotent (also run on a loaded template). */
export async function preparePglite(db: PGlite, held: readonly Domain[] = DOMAINS): Promise<void> {
  const transaction = adminTransaction(db);
  for (const domain of held) {
    await migrateDomain(domain, transaction);
    const roles = pgliteRoles(domain);
    await transaction(async (sql) => {
      await ensureRole(sql, roles.app, `NOLOGIN ${APP_ROLE_ATTRIBUTES}`);
      await ensureRole(sql, roles.system, `NOLOGIN ${SYSTEM_ROLE_ATTRIBUTES}`);
      await grantDomainAccess(sql, domain, roles);
    });
  }
}

export function pgliteRoles(domain: Domain): DomainRoles {
  return { app: `clinicsync_${domain}_app`, system: `clinicsync_${domain}_system` };
}

function pgliteDomainDb(db: PGlite, domain: Domain, tally: StatementTally, onSystemAccess?: (domain: Domain, reason: string) => void): DomainDb {
  const roles = pgliteRoles(domain);
  const countApp = tally.counter(domain, 'app');
  const countSystem = tally.counter(domain, 'system');
  const system = <T>(reason: string, fn: (sql: AdminSql) => Promise<T>): Promise<T> => {
    onSystemAccess?.(domain, reason);
    return counted(countSystem, () =>
      db.transaction(async (tx) => {
        countSystem();
        await tx.query(`SET LOCAL ROLE ${ident(roles.system)}`);
        return fn(sqlOf(tx, countSystem));
      }),
    );
  };
  // One instance: every org named is here, so the batch is one statement. PGlite switches
  // roles per transaction, so the statement runs in one (in-process: no round trips to save); no tenant is set.
  const appStatementAcross = <Row extends object>(tenantIds: readonly string[], statementFor: (tenantIds: readonly string[]) => Statement) => {
    for (const tenantId of tenantIds) assertTenantId(tenantId);
    const { text, params } = statementFor(tenantIds);
    return db.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${ident(roles.app)}`);
      return sqlOf(tx, countApp).query<Row>(text, params);
    });
  };
  return {
    domain,
    withTenant: (tenantId, fn, options) => {
      assertTenantId(tenantId);
      return counted(countApp, () =>
        db.transaction(async (tx) => {
          // One connection runs one transaction at a time, so PGlite never interleaves a
          // commit into a read; the same mode keeps the engines alike (read-only included).
          if (options?.snapshot) await tx.query(SNAPSHOT_SQL);
          await tx.query(`SET LOCAL ROLE ${ident(roles.app)}`);
          await tx.query(SET_TENANT_SQL, [tenantId]);
          countApp(); // the three statements above (or two), as one like PostgreSQL's multi-statement begin
          return fn(sqlOf(tx, countApp));
        }),
      );
    },
    appStatement: (tenantId, text, params) => appStatementAcross([tenantId], () => ({ text, params })),
    appStatementAcross,
    system,
    // One physical instance: the org's data is here, so per-org system work is plain system work.
    systemForTenant: (tenantId, reason, fn) => {
      assertTenantId(tenantId);
      return system(reason, fn);
    },
  };
}

function adminTransaction(db: PGlite): AdminTransaction {
  return (fn) => db.transaction(async (tx) => fn(sqlOf(tx)));
}

/**
 * The statements of a scope's transaction as the PostgreSQL driver counts them
 * (statement-tally.ts): its opening (counted by the caller once its own set-up statements
 * ran, as PostgreSQL sends them in one message) and its COMMIT or ROLLBACK here. PGlite
 * runs in-process, so its "round trips" cost no socket write; counting them alike lets one
 * test hold both engines to the same budget.
 */
async function counted<T>(count: () => void, transaction: () => Promise<T>): Promise<T> {
  try {
    return await transaction();
  } finally {
    count();
  }
}

/** `count`: called once per statement (statement-tally.ts); admin work passes none. */
function sqlOf(tx: Transaction, count = (): void => undefined): AdminSql {
  return {
    query: async <Row extends object>(text: string, params: readonly unknown[] = []) => {
      count();
      return (await tx.query<Row>(text, [...params])).rows;
    },
    execute: async (text, params = []) => {
      count();
      return (await tx.query(text, [...params])).affectedRows ?? 0;
    },
    exec: async (script) => {
      count();
      await tx.exec(script);
    },
  };
}
