import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isId } from '../../shared/ids.ts';
import { AppError } from '../../shared/errors.ts';

/** `<dir>/<tenantId>.json`; the tenant id is checked so it can never steer the path. */
export function keyFilePath(dir: string, tenantId: string): string {
  if (!isId(tenantId)) throw new AppError('TENANT_REQUIRED', 'That is not an organization id.');
  return join(dir, `${tenantId}.json`);
}

export function readKeyFile(path: string): unknown | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null; // present but unreadable: the caller reports it as a failed unwrap
  }
}

/**
 * Writes the file only if none exists yet (hard link of a complete temp file), so two
 * racing first sign-ins cannot each create a key and lose one. Returns false if another
 * writer won; the caller then reads theirs.
 */
export function writeKeyFileOnce(path: string, content: unknown, dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${randomBytes(8).toString('hex')}.tmp`);
  writeFileSync(temp, JSON.stringify(content, null, 2), { mode: 0o600 });
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(temp);
  }
}

export function removeKeyFile(path: string): void {
  rmSync(path, { force: true });
}

/** Serializes work per tenant inside one process (first sign-in creates the key once). */
export function perTenantQueue(): <T>(tenantId: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (tenantId, work) => {
    const previous = tails.get(tenantId) ?? Promise.resolve();
    const next = previous.then(work, work);
    tails.set(tenantId, next.catch(() => undefined));
    return next;
  };
}
