import type { Db as Database } from './db.ts';

/** Small key/value facts about the store itself (org id, clock state). */
export function readMeta(db: Database, key: string): string | undefined {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
  return row?.value;
}

export function writeMeta(db: Database, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export const META_TENANT_ID = 'tenant_id';
export const META_CLOCK = 'hlc_last';
/** How many write transactions that matter this file has committed (see write-generation.ts). */
export const META_WRITE_GENERATION = 'write_generation';
