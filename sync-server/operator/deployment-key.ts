import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DatabaseOptions } from '../db/open-databases.ts';

/**
 * Which deployment a process has open, secret-free: PGlite by its folder's real path,
 * PostgreSQL by its database prefix. A CLI sends its own; the server refuses a request
 * meant for another deployment, so a socket path pointing at the wrong server cannot move
 * an org of a deployment the operator did not name.
 */
export function deploymentKey(options: DatabaseOptions): string {
  if (options.kind === 'postgres') return `postgres:${options.databasePrefix}`;
  if (options.dataDir === undefined) return 'pglite:memory';
  const dir = resolve(options.dataDir);
  try {
    return `pglite:${realpathSync(dir)}`;
  } catch {
    return `pglite:${dir}`;
  }
}
