import pg from 'pg';
import { DOMAINS } from '../../shared/domains.ts';
import { assertPrefix, databaseName } from './postgres-urls.ts';
import { postgresRoles } from './postgres-driver.ts';
import { ident } from './sql.ts';

/** Drops a deployment's eight databases and its two roles (tests, and tearing down a trial). */
export async function dropPostgresDeployment(adminUrl: string, prefix: string): Promise<void> {
  assertPrefix(prefix);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const domain of DOMAINS) await admin.query(`DROP DATABASE IF EXISTS ${ident(databaseName(prefix, domain))} WITH (FORCE)`);
    const roles = postgresRoles(prefix);
    await admin.query(`DROP ROLE IF EXISTS ${ident(roles.app)}`);
    await admin.query(`DROP ROLE IF EXISTS ${ident(roles.system)}`);
  } finally {
    await admin.end();
  }
}
