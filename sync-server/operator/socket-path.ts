import { join } from 'node:path';

export const OPERATOR_SOCKET_FILE = 'admin.sock';
const DEFAULT_DATA_DIR = '.data/server';

/**
 * Where the operator socket is, the same rule for the server and the CLI: an explicit path
 * (flag, then CLINICSYNC_OPERATOR_SOCKET), else `<data-dir>/admin.sock`, where data-dir is
 * the PGlite folder, or on PostgreSQL the same setting (CLINICSYNC_DATA_DIR, .data/server),
 * which then holds only the socket. "off" turns the socket off (server side).
 */
export function operatorSocketPath(explicit: string | undefined, dataDir: string | undefined, env: Record<string, string | undefined>): string | false {
  const chosen = explicit ?? (env.CLINICSYNC_OPERATOR_SOCKET || undefined);
  if (chosen !== undefined) return chosen.trim() === 'off' ? false : chosen;
  return join(dataDir ?? (env.CLINICSYNC_DATA_DIR || DEFAULT_DATA_DIR), OPERATOR_SOCKET_FILE);
}
