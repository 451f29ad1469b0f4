import type { Domain } from '../../shared/domains.ts';
import type { TenantPlacements } from '../placement/tenant-placements.ts';
import type { AdminSql, Sql } from './sql.ts';
import type { StatementCount } from './statement-tally.ts';

/**
 * One domain's database, as its service sees it. Every query runs inside one of the
 * explicitly named scopes:
 * - withTenant: a transaction as the domain's app role with `app.tenant_id` set
 *   transaction-locally, so forced row-level security filters every statement (and the
 *   setting cannot leak to the next user of a pooled connection); `{ snapshot: true }`
 *   makes it a read-only transaction whose statements all read one snapshot (see TenantReadOptions);
 * - system: a transaction as the domain's system role (BYPASSRLS, no DDL rights) for the
 *   rare unscoped work: the sign-in directory lookup, admin and seed. The reason is logged.
 *   It always runs on the shared database;
 * - systemForTenant: the same system role, for work about ONE org (audit verify, admin
 *   counts, a refused attempt filed under the org it targeted). It runs where that org's
 *   data lives (its dedicated database when it has one), so per-org system work must use
 *   this rather than system().
 * - appStatement: ONE statement as the domain's app role, in PostgreSQL's implicit
 *   transaction (no BEGIN, no COMMIT: one round trip instead of three), with NO tenant
 *   set: forced row-level security shows it nothing unless the statement itself sets
 *   `app.tenant_id` transaction-locally, i.e. it calls a SQL function that does
 *   (tenant_info.request_entry). The setting then ends with the statement. Misused with a
 *   plain query it reads no tenant row; `tenantId` routes it and is checked like withTenant's.
 * - appStatementAcross: the same for work of SEVERAL orgs batched into one statement (a
 *   SQL function that sets each element's org in turn: audit.append_chained_many). Where
 *   orgs live on different databases (tenant placement), `statementFor` is asked once per
 *   database, for the orgs placed there, and the rows of all come back together, so each
 *   row must say which org it is about.
 */
/**
 * `snapshot`: REPEATABLE READ, READ ONLY. Under PostgreSQL's default READ COMMITTED each
 * statement sees the commits made before IT started, so a read made of several statements
 * (a domain feed merged from one query per entity) can see a later commit in its second
 * query that it missed in its first: a pull would then hand out a cursor past a change it
 * never delivered. One snapshot for the whole transaction closes that gap.
 */
export interface TenantReadOptions {
  snapshot?: boolean;
}

export interface DomainDb {
  readonly domain: Domain;
  withTenant<T>(tenantId: string, fn: (sql: Sql) => Promise<T>, options?: TenantReadOptions): Promise<T>;
  appStatement<Row extends object>(tenantId: string, text: string, params: readonly unknown[]): Promise<Row[]>;
  appStatementAcross<Row extends object>(tenantIds: readonly string[], statementFor: (tenantIds: readonly string[]) => Statement): Promise<Row[]>;
  system<T>(reason: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
  systemForTenant<T>(tenantId: string, reason: string, fn: (sql: Sql) => Promise<T>): Promise<T>;
}

/** One statement's text and parameters. */
export interface Statement {
  text: string;
  params: readonly unknown[];
}

export interface DomainRoles {
  /** What tenant-scoped access runs as: not superuser, not owner, not BYPASSRLS. */
  app: string;
  /** What system access runs as: BYPASSRLS, DML only. */
  system: string;
}

/**
 * One physical deployment of domain databases: the shared one every org starts in, or an
 * org's dedicated one (sync-server/placement/). Drivers open these; nothing above the
 * placement router sees one directly.
 */
export interface PhysicalDatabases {
  readonly engine: 'pglite' | 'postgres';
  /** The domains this deployment holds (a dedicated one holds the org's own domains only). */
  readonly held: readonly Domain[];
  readonly domains: Record<Domain, DomainDb>;
  rolesOf(domain: Domain): DomainRoles;
  /** Connection counts of each pool, for metrics (PostgreSQL; PGlite has no pool and has none). */
  poolStats?(): PoolStat[];
  /** Statements sent to each domain database by request handling, since opening (statement-tally.ts). */
  statementCounts?(): StatementCount[];
  /**
   * PostgreSQL only: what a connection of each held domain's app and system pool reads for
   * these settings (current_setting: server, database, role and pooler effects included;
   * null for one this server does not know). Start-up checks only (db/log-posture.ts).
   */
  sessionSettings?(names: readonly string[]): Promise<SessionSetting[]>;
  /** Owner-level access for catalog inspection (tests, operations, tenant moves). Never used by request handling. */
  inspect<T>(domain: Domain, fn: (sql: AdminSql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One setting as one pool's connection sees it (PhysicalDatabases.sessionSettings). */
export interface SessionSetting {
  domain: Domain;
  pool: 'app' | 'system';
  name: string;
  value: string | null;
}

/** One connection pool of a domain database: app (tenant-scoped requests) or system (system access). */
export interface PoolStat {
  domain: Domain;
  pool: 'app' | 'system';
  total: number;
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/**
 * All eight domain databases as services see them, opened together at start-up. The
 * domains an org can take to a dedicated placement are routed per org; `inspect` and
 * `rolesOf` describe the shared deployment.
 */
export interface DatabaseSet extends PhysicalDatabases {
  /** The placement directory, routing and the move command (sync-server/placement/). */
  readonly placements: TenantPlacements;
}

/** The schema that holds a domain's tables: the same name on both engines, so migrations are identical. */
export function schemaOf(domain: Domain): string {
  return domain;
}

/** A DomainDb for a domain this deployment does not hold: any use is a programming error. */
export function absentDomainDb(domain: Domain): DomainDb {
  const refuse = (): Promise<never> => Promise.reject(new Error(`the ${domain} domain is not held by this database deployment`));
  return { domain, withTenant: refuse, appStatement: refuse, appStatementAcross: refuse, system: refuse, systemForTenant: refuse };
}
