import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { migrationsFingerprint } from '../db/migrations.ts';
import { preparePglite } from '../db/pglite-driver.ts';

let template: Promise<Blob> | undefined;

/**
 * A migrated PGlite data directory, built once and shared: initdb + migrations cost
 * seconds, loading this dump ~0.5 s. Cached in the OS temp folder under a fingerprint of
 * the migrations and the role/grant code, so a schema change builds a fresh one; written
 * to a temporary name and renamed, so parallel test workers never read half a file.
 */
export function pgliteTemplate(): Promise<Blob> {
  return (template ??= (async () => {
    const file = join(tmpdir(), `clinicsync-pglite-template-${fingerprint()}.tar`);
    if (existsSync(file)) return new Blob([readFileSync(file)]);
    const db = await PGlite.create();
    await preparePglite(db);
    const dump = await db.dumpDataDir('none');
    await db.close();
    const bytes = new Uint8Array(await dump.arrayBuffer());
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    return new Blob([bytes]);
  })());
}

function fingerprint(): string {
  const hash = createHash('sha256').update(migrationsFingerprint());
  for (const file of ['pglite-driver.ts', 'roles.ts', 'migrations.ts']) hash.update(readFileSync(join(import.meta.dirname, '..', 'db', file)));
  return hash.digest('hex').slice(0, 16);
}
