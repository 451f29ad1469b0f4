import { describe, expect, it } from 'vitest';
import { MAX_POKE_WINDOW_MS } from './bus/poke-coalescing.ts';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

describe('config', () => {
  it('defaults to embedded PGlite in .data/server with the in-process bus', () => {
    const options = loadConfig({});
    expect(options.database).toEqual({ kind: 'pglite', dataDir: '.data/server' });
    expect(options.bus).toEqual({ kind: 'memory' });
    expect(options.port).toBe(4300);
  });

  it('uses PostgreSQL and NATS when their URLs are given', () => {
    const options = loadConfig({
      CLINICSYNC_DATABASE_URL: 'postgres://admin:s3cret@db:5432/postgres',
      CLINICSYNC_NATS_URL: 'nats://bus:4222',
      CLINICSYNC_PORT: '0',
    });
    expect(options.database).toEqual({ kind: 'postgres', adminUrl: 'postgres://admin:s3cret@db:5432/postgres', databasePrefix: 'clinicsync' });
    expect(options.bus).toEqual({ kind: 'nats', servers: 'nats://bus:4222' });
    expect(describeConfig(options)).not.toContain('s3cret');
  });

  it('fails fast, naming the variable but not echoing the value', () => {
    expect(() => loadConfig({ CLINICSYNC_PORT: 'eighty' })).toThrow(ConfigError);
    try {
      loadConfig({ CLINICSYNC_DATABASE_URL: 'mysql://root:hunter2@x' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('CLINICSYNC_DATABASE_URL');
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('takes the poke window from CLINICSYNC_POKE_WINDOW_MS (0 pokes every write), and refuses nonsense', () => {
    expect(loadConfig({}).pokeWindowMs).toBeUndefined();
    expect(loadConfig({ CLINICSYNC_POKE_WINDOW_MS: '0' }).pokeWindowMs).toBe(0);
    expect(loadConfig({ CLINICSYNC_POKE_WINDOW_MS: '500' }).pokeWindowMs).toBe(500);
    expect(loadConfig({ CLINICSYNC_POKE_WINDOW_MS: String(MAX_POKE_WINDOW_MS) }).pokeWindowMs).toBe(MAX_POKE_WINDOW_MS);
    for (const bad of ['-1', '2.5', 'soon', String(MAX_POKE_WINDOW_MS + 1)]) {
      expect(() => loadConfig({ CLINICSYNC_POKE_WINDOW_MS: bad })).toThrow(/CLINICSYNC_POKE_WINDOW_MS/);
    }
  });

  it('takes the PostgreSQL pool sizes from CLINICSYNC_DB_POOL_SIZE and CLINICSYNC_DB_SYSTEM_POOL_SIZE, and refuses nonsense', () => {
    const url = 'postgres://admin@db:5432/postgres';
    expect(loadConfig({ CLINICSYNC_DATABASE_URL: url, CLINICSYNC_DB_POOL_SIZE: '6', CLINICSYNC_DB_SYSTEM_POOL_SIZE: '3' }).database).toEqual({
      kind: 'postgres',
      adminUrl: url,
      databasePrefix: 'clinicsync',
      poolSize: 6,
      systemPoolSize: 3,
    });
    for (const bad of ['0', '-2', '2.5', 'many', '101']) {
      expect(() => loadConfig({ CLINICSYNC_DATABASE_URL: url, CLINICSYNC_DB_POOL_SIZE: bad })).toThrow(/CLINICSYNC_DB_POOL_SIZE/);
    }
    expect(() => loadConfig({ CLINICSYNC_DATABASE_URL: url, CLINICSYNC_DB_SYSTEM_POOL_SIZE: '0' })).toThrow(/CLINICSYNC_DB_SYSTEM_POOL_SIZE/);
  });

  it('sends request traffic through CLINICSYNC_DATABASE_POOLER_URL when given, only beside a direct URL, without echoing either', () => {
    const url = 'postgres://admin@db:5432/postgres';
    const pooler = 'postgres://admin@bouncer:6432/postgres';
    expect(loadConfig({ CLINICSYNC_DATABASE_URL: url, CLINICSYNC_DATABASE_POOLER_URL: pooler }).database).toEqual({
      kind: 'postgres',
      adminUrl: url,
      databasePrefix: 'clinicsync',
      poolerUrl: pooler,
    });
    expect(() => loadConfig({ CLINICSYNC_DATABASE_POOLER_URL: pooler })).toThrow(/CLINICSYNC_DATABASE_POOLER_URL: needs CLINICSYNC_DATABASE_URL/);
    try {
      loadConfig({ CLINICSYNC_DATABASE_URL: url, CLINICSYNC_DATABASE_POOLER_URL: 'mysql://u:hunter2@bouncer' });
      expect.unreachable('a non-postgres pooler URL must be refused');
    } catch (error) {
      expect((error as Error).message).toMatch(/CLINICSYNC_DATABASE_POOLER_URL: must be a postgres:\/\/ URL/);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });
});
