import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dedicatedTarget, describeLocation, isDefaultTarget, sameLocation } from './placement-target.ts';

const TENANT = '0190a0a0-1234-7000-8000-00000000000a';
const PG = { kind: 'postgres', adminUrl: 'postgres://postgres@127.0.0.1:5432/postgres', databasePrefix: 'clinicsync' } as const;

describe('dedicated targets', () => {
  it('defaults to <prefix>_t_<first 12 hex> on the same server, and <dataDir>/tenants/<id> or memory', () => {
    expect(dedicatedTarget(PG, TENANT)).toEqual({ engine: 'postgres', serverUrl: null, databasePrefix: 'clinicsync_t_0190a0a01234' });
    expect(dedicatedTarget({ kind: 'pglite', dataDir: 'x/server' }, TENANT)).toEqual({ engine: 'pglite', folder: join(resolve('x/server'), 'tenants', TENANT) });
    expect(dedicatedTarget({ kind: 'pglite' }, TENANT)).toEqual({ engine: 'pglite', folder: null });
    expect(isDefaultTarget(PG, TENANT, dedicatedTarget(PG, TENANT))).toBe(true);
    expect(isDefaultTarget(PG, TENANT, dedicatedTarget(PG, TENANT, { databasePrefix: 'big_clinic' }))).toBe(false);
  });

  it('refuses targets of the other engine, passwords in URLs, bad prefixes and the shared folder', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'accepted';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(code(() => dedicatedTarget(PG, TENANT, { folder: '/tmp/x' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget(PG, TENANT, { serverUrl: 'postgres://u:secret@db2:5432/postgres' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget(PG, TENANT, { serverUrl: 'mysql://db2/x' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget(PG, TENANT, { databasePrefix: 'Bad-Prefix' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget(PG, TENANT, { databasePrefix: 'clinicsync' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget(PG, TENANT, { serverUrl: 'postgres://u@db2:5432/postgres', databasePrefix: 'clinicsync' }))).toBe('accepted');
    expect(code(() => dedicatedTarget({ kind: 'pglite', dataDir: 'x/server' }, TENANT, { serverUrl: 'postgres://db2/x' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget({ kind: 'pglite', dataDir: 'x/server' }, TENANT, { folder: 'x/server' }))).toBe('VALIDATION');
    expect(code(() => dedicatedTarget({ kind: 'pglite', dataDir: 'x/server' }, TENANT, { folder: 'x' }))).toBe('VALIDATION');
  });

  it('compares and describes locations without secrets', () => {
    const a = { placement: 'dedicated', target: dedicatedTarget(PG, TENANT) } as const;
    expect(sameLocation(a, { placement: 'dedicated', target: dedicatedTarget(PG, TENANT) })).toBe(true);
    expect(sameLocation(a, { placement: 'shared' })).toBe(false);
    expect(describeLocation(a)).toBe('dedicated PostgreSQL databases clinicsync_t_0190a0a01234_* on the shared server');
    const other = { placement: 'dedicated', target: dedicatedTarget(PG, TENANT, { serverUrl: 'postgres://ops@db2.internal/postgres' }) } as const;
    expect(describeLocation(other)).toBe('dedicated PostgreSQL databases clinicsync_t_0190a0a01234_* on db2.internal:5432');
  });
});
