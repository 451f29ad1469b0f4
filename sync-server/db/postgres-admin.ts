import pg from 'pg';
import { DOMAINS } from '../../shared/domains.ts';
import { assertPrefix, databaseName } from './postgres-urls.ts';
import { postgresRoles } from './postgres-driver.ts';
import { ident } from './sql.ts';

/**
 * Drops a deployment's eight databases and its two roles (tests, and tearing down a
 * trial), together with the dedicated deployments of its orgs on the same server
 * (`<prefix>_t_<12 hex>`, see sync-server/placement/placement-target.ts).
 */
export async function dropPostgresDeployment(adminUrl: string, prefix: string): Promise<void> {
  assertPrefix(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const dedicated = await admin.query<{ prefix: string }>(
      `SELECT DISTINCT substring(rolname FROM '^(.*)_(app|system)$') AS prefix FROM pg_roles WHERE rolname ~ $1`,
      [`^${prefix}_t_[0-9a-f]{12}_(app|system)$`],
    );
    for (const { prefix: each } of [...dedicated.rows, { prefix }]) await dropOne(admin, each);
  } finally {
    await admin.end();
  }
}

/** Drops one deployment (`<prefix>_<domain>` databases and `<prefix>_app`/`_system` roles) if present. */
export async function dropPostgresDatabases(adminUrl: string, prefix: string): Promise<void> {
  assertPrefix(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await dropOne(admin, prefix);
  } finally {
    await admin.end();
  }
}

async function dropOne(admin: pg.Client, prefix: string): Promise<void> {
  for (const domain of DOMAINS) await admin.query(`DROP DATABASE IF EXISTS ${ident(databaseName(prefix, domain))} WITH (FORCE)`);
  const roles = postgresRoles(prefix);
  await admin.query(`DROP ROLE IF EXISTS ${ident(roles.app)}`);
  await admin.query(`DROP ROLE IF EXISTS ${ident(roles.system)}`);
}
