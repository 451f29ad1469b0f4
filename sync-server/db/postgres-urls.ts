import type { Domain } from '../../shared/domains.ts';

/** `<prefix>_<domain>`: one PostgreSQL database per domain. */
export function databaseName(prefix: string, domain: Domain): string {
  return `${prefix}_${domain}`;
}

export function assertPrefix(prefix: string): void {
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) {
    throw new Error('database prefix must be lower-case letters, digits and _ (at most 31), starting with a letter');
  }
}

/** The admin URL pointed at another database and, optionally, another (password-less) user. */
export function connectionUrl(adminUrl: string, database: string, user?: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  if (user !== undefined) {
    url.username = user;
    url.password = '';
  }
  return url.toString();
}
