import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Replaces a small file whole (temp file + rename, owner-only), so a crash leaves the old
 * content or the new one, never half of it. For the workstation's little side files
 * (org directory, wipe receipts, sealed org secrets); the stores have SQLite for this.
 */
export function writeFileAtomically(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, path);
}

/** The file's text, or undefined when it does not exist (other read errors are thrown). */
export function readFileIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A small JSON side file checked against its schema; `empty` when it is missing, not JSON
 * or not of the schema (these files are caches the workstation rebuilds as people sign in,
 * so a damaged one starts over rather than stopping the app).
 */
export function readJsonFileOr<T>(path: string, schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, empty: () => T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(readFileIfPresent(path) ?? ''));
    if (parsed.success) return parsed.data;
  } catch {
    // missing or not JSON: start empty
  }
  return empty();
}
