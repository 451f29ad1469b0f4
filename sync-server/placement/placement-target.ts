import { isAbsolute, join, relative, resolve } from 'node:path';
import { AppError } from '../../shared/errors.ts';
import type { DatabaseOptions } from '../db/open-databases.ts';

/**
 * Where an org's dedicated databases live. PostgreSQL: a server (null = the deployment's
 * own server) and a database prefix, giving `<prefix>_<domain>` databases and their own
 * `<prefix>_app`/`_system` roles. PGlite: its own instance in a folder (null = in memory,
 * when the server itself runs in memory, e.g. tests).
 */
export type DedicatedTarget =
  | { engine: 'postgres'; serverUrl: string | null; databasePrefix: string }
  | { engine: 'pglite'; folder: string | null };

export type Location = { placement: 'shared' } | { placement: 'dedicated'; target: DedicatedTarget };

export const SHARED: Location = { placement: 'shared' };

/** What an operator may name (the CLI's --server-url / --database-prefix / --folder). */
export interface TargetInput {
  serverUrl?: string;
  databasePrefix?: string;
  folder?: string;
}

/** The dedicated target for an org: the operator's choice, checked, or the default. */
export function dedicatedTarget(shared: DatabaseOptions, tenantId: string, input: TargetInput = {}): DedicatedTarget {
  if (shared.kind === 'postgres') {
    if (input.folder !== undefined) throw new AppError('VALIDATION', 'This server runs on PostgreSQL: a dedicated placement is a server and database prefix, not a folder.');
    const serverUrl = input.serverUrl === undefined ? null : checkServerUrl(input.serverUrl);
    const databasePrefix = input.databasePrefix ?? defaultPrefix(shared.databasePrefix, tenantId);
    if (!/^[a-z][a-z0-9_]{0,30}$/.test(databasePrefix)) {
      throw new AppError('VALIDATION', 'A database prefix is lower-case letters, digits and _ (at most 31), starting with a letter.');
    }
    if (databasePrefix === shared.databasePrefix && (serverUrl === null || sameServer(serverUrl, shared.adminUrl))) {
      throw new AppError('VALIDATION', "The dedicated databases need a prefix other than the shared deployment's.");
    }
    return { engine: 'postgres', serverUrl, databasePrefix };
  }
  if (input.serverUrl !== undefined || input.databasePrefix !== undefined) {
    throw new AppError('VALIDATION', 'This server runs on PGlite: a dedicated placement is a folder, not a server or database prefix.');
  }
  if (input.folder === undefined) return { engine: 'pglite', folder: shared.dataDir === undefined ? null : defaultFolder(shared.dataDir, tenantId) };
  if (input.folder.trim() === '') throw new AppError('VALIDATION', 'Name a folder for the dedicated database.');
  const folder = resolve(input.folder);
  // Opening the shared instance's folder twice would corrupt it; a folder holding it is refused too.
  if (shared.dataDir !== undefined && contains(folder, resolve(shared.dataDir))) {
    throw new AppError('VALIDATION', "The dedicated folder cannot be the shared database's folder or hold it.");
  }
  return { engine: 'pglite', folder };
}

/** The default place, which belongs to this org alone and is removed when it moves back. */
export function isDefaultTarget(shared: DatabaseOptions, tenantId: string, target: DedicatedTarget): boolean {
  if (shared.kind === 'postgres') return target.engine === 'postgres' && target.serverUrl === null && target.databasePrefix === defaultPrefix(shared.databasePrefix, tenantId);
  return target.engine === 'pglite' && target.folder !== null && shared.dataDir !== undefined && target.folder === defaultFolder(shared.dataDir, tenantId);
}

/** `<prefix>_t_<first 12 hex of the tenant id>` on the deployment's own server. */
function defaultPrefix(sharedPrefix: string, tenantId: string): string {
  return `${sharedPrefix}_t_${tenantId.replaceAll('-', '').slice(0, 12).toLowerCase()}`;
}

function defaultFolder(dataDir: string, tenantId: string): string {
  return join(resolve(dataDir), 'tenants', tenantId);
}

/** A stable key for one target: equal targets are the same physical databases. */
export function targetKey(target: DedicatedTarget): string {
  return target.engine === 'postgres' ? `postgres|${target.serverUrl ?? ''}|${target.databasePrefix}` : `pglite|${target.folder ?? ':memory:'}`;
}

export function sameLocation(a: Location, b: Location): boolean {
  if (a.placement === 'shared' || b.placement === 'shared') return a.placement === b.placement;
  return targetKey(a.target) === targetKey(b.target);
}

/** For operators: where the data is, without secrets (server URLs never carry a password here). */
export function describeLocation(location: Location): string {
  if (location.placement === 'shared') return 'shared databases';
  const { target } = location;
  if (target.engine === 'pglite') return `dedicated PGlite ${target.folder === null ? 'instance in memory' : `folder ${target.folder}`}`;
  return `dedicated PostgreSQL databases ${target.databasePrefix}_* on ${target.serverUrl === null ? 'the shared server' : hostOf(target.serverUrl)}`;
}

/**
 * A server URL is stored in the placement directory, so it must not hold a secret: the
 * password comes from ~/.pgpass or PGPASSWORD, which the pg client reads itself.
 */
function checkServerUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AppError('VALIDATION', 'The dedicated server must be a postgres:// URL.');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new AppError('VALIDATION', 'The dedicated server must be a postgres:// URL.');
  if (url.password !== '') {
    throw new AppError('VALIDATION', 'The dedicated server URL must not contain a password; give it through ~/.pgpass or PGPASSWORD instead.');
  }
  return url.toString();
}

function sameServer(a: string, b: string): boolean {
  return hostOf(a) === hostOf(b);
}

function hostOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

function contains(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
