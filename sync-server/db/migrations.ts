import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAINS, type Domain } from '../../shared/domains.ts';
import { ident, type AdminSql } from './sql.ts';
import { schemaOf } from './domain-db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const DOMAINS_DIR = join(import.meta.dirname, '..', 'domains');
const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

/** Reads `sync-server/domains/<domain>/migrations/NNN_name.sql` in version order. */
export function loadMigrations(domain: Domain): Migration[] {
  const dir = join(DOMAINS_DIR, domain, 'migrations');
  const migrations: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = FILE_PATTERN.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: readFileSync(join(dir, file), 'utf8') });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration version in ${domain}`);
  return migrations;
}

/** A fingerprint of every migration file; the test template is rebuilt when it changes. */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const domain of DOMAINS) for (const m of loadMigrations(domain)) hash.update(`${domain}/${m.version}/${m.sql}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** Runs one transaction of owner-level SQL. Each engine supplies its own. */
export type AdminTransaction = <T>(fn: (sql: AdminSql) => Promise<T>) => Promise<T>;

/**
 * Applies the domain's pending migrations, one transaction each, recorded in
 * `<domain>.schema_migrations`. A transaction-level advisory lock makes concurrent
 * starters (two replicas) take turns; each re-checks what is applied under the lock.
 */
export async function migrateDomain(domain: Domain, transaction: AdminTransaction): Promise<number> {
  const schema = ident(schemaOf(domain));
  await transaction(async (sql) => {
    await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`migrate:${domain}`]);
    await sql.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
      CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());`);
  });
  let applied = 0;
  for (const migration of loadMigrations(domain)) {
    const ran = await transaction(async (sql) => {
      await sql.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`migrate:${domain}`]);
      const done = await sql.query(`SELECT 1 FROM ${schema}.schema_migrations WHERE version = $1`, [migration.version]);
      if (done.length > 0) return false;
      await sql.exec(migration.sql);
      await sql.execute(`INSERT INTO ${schema}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      return true;
    });
    if (ran) applied++;
  }
  return applied;
}
