import type { ParseArgsOptionsConfig } from 'node:util';
import type { DatabaseOptions } from '../db/open-databases.ts';
import { stringFlag, UsageError, type FlagValues } from './usage.ts';

export const DATABASE_FLAGS = {
  'database-url': { type: 'string' },
  'data-dir': { type: 'string' },
} as const satisfies ParseArgsOptionsConfig;

export const DATABASE_HELP = `Database (every command):
  --database-url postgres://USER@HOST:PORT/NAME
                      PostgreSQL: the eight domain databases are NAME_<domain> on that
                      server, created and migrated if missing. Also read from
                      CLINICSYNC_DATABASE_URL or DATABASE_URL. A password belongs in
                      ~/.pgpass or PGPASSWORD rather than the URL.
  --data-dir DIR      PGlite (no URL given): the database folder (default .data/server,
                      or CLINICSYNC_DATA_DIR). Stop the server first: one process at a time.`;

const DEFAULT_DATA_DIR = '.data/server';
const PREFIX = /^[a-z][a-z0-9_]{0,30}$/;

export interface DatabaseChoice {
  options: DatabaseOptions;
  /** Secret-free, for messages: engine and where. */
  description: string;
}

/**
 * `--database-url postgres://…/NAME` (or the environment) selects PostgreSQL, where NAME
 * becomes the prefix of the eight `NAME_<domain>` databases and the admin connection goes
 * to the server's `postgres` database. The server's own configuration style also works:
 * CLINICSYNC_DATABASE_URL + CLINICSYNC_DATABASE_PREFIX (the URL is then the admin URL as
 * is). Without a URL: PGlite in --data-dir. Messages never quote the URL (it may hold a password).
 */
export function chooseDatabase(values: FlagValues, env: Record<string, string | undefined>): DatabaseChoice {
  const flagUrl = stringFlag(values, 'database-url');
  const flagDir = stringFlag(values, 'data-dir');
  const source = flagUrl !== undefined ? '--database-url' : env.CLINICSYNC_DATABASE_URL ? 'CLINICSYNC_DATABASE_URL' : env.DATABASE_URL ? 'DATABASE_URL' : null;
  const raw = flagUrl ?? (env.CLINICSYNC_DATABASE_URL || env.DATABASE_URL);

  if (source === null || raw === undefined) {
    const dataDir = flagDir ?? (env.CLINICSYNC_DATA_DIR || DEFAULT_DATA_DIR);
    if (dataDir.trim() === '') throw new UsageError('--data-dir needs a folder.');
    return { options: { kind: 'pglite', dataDir }, description: `PGlite in ${dataDir}` };
  }
  if (flagUrl !== undefined && flagDir !== undefined) throw new UsageError('Give either --database-url or --data-dir, not both.');

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${source} is not a URL; expected postgres://USER@HOST:PORT/NAME.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`${source} must start with postgres:// (expected postgres://USER@HOST:PORT/NAME).`);
  }
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const envPrefix = source === 'CLINICSYNC_DATABASE_URL' ? env.CLINICSYNC_DATABASE_PREFIX : undefined;

  let databasePrefix: string;
  let adminUrl: string;
  if (envPrefix) {
    // The server's configuration: the URL is the admin connection, the prefix is separate.
    databasePrefix = envPrefix;
    adminUrl = url.toString();
    if (!PREFIX.test(databasePrefix)) throw new UsageError('CLINICSYNC_DATABASE_PREFIX must be lower-case letters, digits and _ (at most 31), starting with a letter.');
  } else {
    if (name === '') throw new UsageError(`${source} must end in /NAME: the eight domain databases are NAME_<domain>.`);
    if (!PREFIX.test(name)) {
      throw new UsageError(`The database name in ${source} must be lower-case letters, digits and _ (at most 31), starting with a letter: it prefixes the eight NAME_<domain> databases.`);
    }
    databasePrefix = name;
    const admin = new URL(url);
    admin.pathname = '/postgres';
    adminUrl = admin.toString();
  }
  const host = `${url.hostname || 'localhost'}:${url.port || '5432'}`;
  return {
    options: { kind: 'postgres', adminUrl, databasePrefix },
    description: `PostgreSQL on ${host}, databases ${databasePrefix}_<domain>`,
  };
}
