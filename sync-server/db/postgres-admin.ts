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
  const dedicated = await withAdmin(adminUrl, (admin) =>
    admin.query<{ prefix: string }>(`SELECT DISTINCT substring(rolname FROM '^(.*)_(app|system)$') AS prefix FROM pg_roles WHERE rolname ~ $1`, [
      `^${prefix}_t_[0-9a-f]{12}_(app|system)$`,
    ]),
  );
  for (const { prefix: each } of [...dedicated.rows, { prefix }]) await dropPostgresDatabases(adminUrl, each);
}

/**
 * Drops one deployment (`<prefix>_<domain>` databases, `<prefix>_app`/`_system` roles) if
 * present. The databases are dropped side by side: each DROP DATABASE waits for a
 * checkpoint (seconds on a busy server), and concurrent ones share it.
 */
export async function dropPostgresDatabases(adminUrl: string, prefix: string): Promise<void> {
  assertPrefix(prefix);
  await Promise.all(
    DOMAINS.map((domain) => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${ident(databaseName(prefix, domain))} WITH (FORCE)`))),
  );
  const roles = postgresRoles(prefix);
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`DROP ROLE IF EXISTS ${ident(roles.app)}`);
    await admin.query(`DROP ROLE IF EXISTS ${ident(roles.system)}`);
  });
}

async function withAdmin<T>(adminUrl: string, fn: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}
