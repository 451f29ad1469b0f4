import { userInfo } from 'node:os';
import { AppError } from '../../shared/errors.ts';
import { auditedWork } from '../audit/audited-work.ts';
import type { AuditTrail } from '../audit/audit-trail.ts';
import { errorCodeOf, silentLogger, type Logger } from '../log.ts';
import type { ServerCore } from '../server.ts';
import type { CliIo } from './command.ts';
import { chooseDatabase, type DatabaseChoice } from './database.ts';
import { CommandFailure, type FlagValues } from './usage.ts';

export interface AdminSession {
  core: ServerCore;
  database: DatabaseChoice;
}

/**
 * Opens the databases, services and admin API WITHOUT HTTP (an admin command never
 * listens on a port), runs the command, and closes everything again. Opening migrates, so
 * every command works on a fresh database.
 */
export async function withAdminSession<T>(values: FlagValues, io: CliIo, fn: (session: AdminSession) => Promise<T>): Promise<T> {
  const database = chooseDatabase(values, io.env);
  // Loaded only now, so bad usage is answered without loading the server and the engines.
  const { openServerCore } = await import('../server.ts');
  let core: ServerCore;
  try {
    core = await openServerCore({ database: database.options, log: cliLogger(io) });
  } catch (error) {
    throw new CommandFailure(`Could not open the databases (${database.description}): ${describeFailure(error)}.`);
  }
  try {
    return await fn({ core, database });
  } finally {
    await core.close();
  }
}

/**
 * Runs one admin command as audited work: one entry, kind 'admin', action
 * `admin:<command>`, in the chain of the org it concerns (null: the unattributed chain),
 * whatever the outcome. The operator is the OS account that ran the command; `via` says
 * whether it ran in the CLI's own process or in the server's, sent over the operator socket.
 */
export function auditedCommand<T>(
  core: ServerCore,
  command: string,
  tenantId: string | null,
  fn: (trail: AuditTrail) => Promise<T>,
  via: 'cli' | 'operator-socket' = 'cli',
): Promise<T> {
  return auditedWork(core.services.audit, { tenantId, kind: 'admin', name: command }, (trail) => {
    // Through the operator socket this is the serving process's account, which is also the
    // caller's: only that account can connect to the socket (sync-server/operator/).
    trail.note('operator', operatorName());
    trail.note('via', via);
    return fn(trail);
  });
}

/** Server log events on stderr only when asked (CLINICSYNC_LOG_LEVEL=info|debug). */
function cliLogger(io: CliIo): Logger {
  const level = io.env.CLINICSYNC_LOG_LEVEL;
  if (level !== 'info' && level !== 'debug') return silentLogger;
  return (event) => {
    if (event.level === 'debug' && level !== 'debug') return;
    io.err(`${JSON.stringify({ time: new Date().toISOString(), ...event })}\n`);
  };
}

export function operatorName(): string {
  try {
    return userInfo().username.slice(0, 64);
  } catch {
    return 'unknown';
  }
}

/**
 * A failure in words an operator can act on, without a stack, SQL or URL: the SQLSTATE
 * or system error code says enough to look it up.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof AppError || error instanceof CommandFailure) return error.message.replace(/\.$/, '');
  const code = errorCodeOf(error);
  const known: Record<string, string> = {
    ECONNREFUSED: 'the database server refused the connection (is it running, and is the host and port right?)',
    ENOTFOUND: 'the database server host name is unknown',
    ETIMEDOUT: 'the database server did not answer in time',
    '28P01': 'the database server rejected the password',
    '28000': 'the database server refused this user',
    '3D000': 'the maintenance database "postgres" does not exist on that server',
    '42501': 'the database user lacks a privilege it needs (it must be able to create databases and roles)',
    '23505': 'that conflicts with an existing record',
  };
  return `${known[code] ?? 'unexpected error'} (${code})`;
}
