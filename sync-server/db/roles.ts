import type { Domain } from '../../shared/domains.ts';
import { schemaOf, type DomainRoles } from './domain-db.ts';
import { ident, type AdminSql } from './sql.ts';

/**
 * Creates a role if it is missing and (re)asserts its attributes on every start, so a
 * role someone widened by hand is narrowed again. Races between two starting replicas
 * end in "already exists", which is fine.
 */
export async function ensureRole(sql: AdminSql, name: string, attributes: string): Promise<void> {
  const exists = await sql.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (exists.length === 0) {
    try {
      await sql.exec(`CREATE ROLE ${ident(name)} ${attributes}`);
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  await sql.exec(`ALTER ROLE ${ident(name)} ${attributes}`);
}

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '42710' || code === '23505';
}

/**
 * Session defaults of the app and system roles, (re)asserted on every start. Both pass
 * patient data as bind parameters, and a statement that fails (the one-statement push
 * declines by raising CS409) would have them written to PostgreSQL's server log unless
 * log_parameter_max_length_on_error is 0. That setting is user-settable, so the role's own
 * default neutralises it for every login of the role: direct, and behind a pooler, where a
 * per-connection `options: '-c …'` does not work (PgBouncer 1.18 refuses the startup
 * parameter, or drops it silently when ignore_startup_parameters lists it). A role default
 * outranks a database default (ALTER DATABASE … SET); ALTER ROLE … IN DATABASE … SET
 * outranks it, which db/log-posture.ts reports. Written only when missing, so replicas
 * starting together do not update the catalog row concurrently after the first start.
 */
export const ROLE_SETTINGS: Readonly<Record<string, string>> = { log_parameter_max_length_on_error: '0' };

export async function ensureRoleSettings(sql: AdminSql, name: string): Promise<void> {
  for (const [setting, value] of Object.entries(ROLE_SETTINGS)) {
    const present = await sql.query(
      'SELECT 1 FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole WHERE r.rolname = $1 AND s.setdatabase = 0 AND $2 = ANY (s.setconfig)',
      [name, `${setting}=${value}`],
    );
    if (present.length === 0) await sql.exec(`ALTER ROLE ${ident(name)} SET ${setting} = ${value}`);
  }
}

export const APP_ROLE_ATTRIBUTES = 'NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION';
export const SYSTEM_ROLE_ATTRIBUTES = 'NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION';

/**
 * Tables on which the app and system roles get less than full DML, with the privileges
 * they do get. The audit trail is append-only (HIPAA §164.312(b)): rows are inserted and
 * never changed; its chain head is moved forward by each append but never deleted.
 */
export const RESTRICTED_TABLES: Partial<Record<Domain, Record<string, string>>> = {
  audit: { events: 'SELECT, INSERT', chain_heads: 'SELECT, INSERT, UPDATE' },
};

/**
 * Least privilege inside one domain schema: data manipulation on its tables and
 * sequences (less on RESTRICTED_TABLES), execute on its functions, nothing on the
 * migration ledger, no DDL. Runs on every start, so a privilege granted by hand on a
 * restricted table is taken back at the next start.
 */
export async function grantDomainAccess(sql: AdminSql, domain: Domain, roles: DomainRoles): Promise<void> {
  const schema = ident(schemaOf(domain));
  const both = `${ident(roles.app)}, ${ident(roles.system)}`;
  const restricted = Object.entries(RESTRICTED_TABLES[domain] ?? {}).map(
    ([table, privileges]) => `REVOKE ALL ON ${schema}.${ident(table)} FROM ${both};
    GRANT ${privileges} ON ${schema}.${ident(table)} TO ${both};`,
  );
  await sql.exec(`
    GRANT USAGE ON SCHEMA ${schema} TO ${both};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${both};
    REVOKE ALL ON ${schema}.schema_migrations FROM ${both};
    ${restricted.join('\n    ')}
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${schema} TO ${both};
    GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA ${schema} TO ${both};
  `);
}
