import { open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../../shared/errors.ts';
import { isId, uuidv7 } from '../../../shared/ids.ts';
import type { DatabaseSet } from '../../db/domain-db.ts';
import { exportTenant, MANIFEST_FILE, type ExportManifest } from './export-tenant.ts';

/** The most a client fetches in one exports.readFile call (base64 makes the answer ~1.4 MB). */
export const EXPORT_CHUNK_BYTES = 1024 * 1024;

/**
 * Org exports made through the API (exports.create): written on the server under
 * `<root>/<tenantId>/<exportId>/` (root: CLINICSYNC_EXPORT_DIR, default
 * `<os tmpdir>/clinicsync-exports`; folders 0700, files 0600), then fetched by the client
 * in chunks with exports.readFile, which serves only files named in that export's
 * manifest, and only from the caller's own org folder. One export per org at a time.
 */
export interface TenantExports {
  create(tenantId: string): Promise<{ exportId: string; manifest: ExportManifest }>;
  readFile(tenantId: string, exportId: string, file: string, offset: number): Promise<{ data: string; offset: number; nextOffset: number | null; size: number }>;
  /** Deletes an export's folder (the client has fetched it); false when there is none (idempotent). */
  remove(tenantId: string, exportId: string): Promise<boolean>;
}

export function exportRoot(env: Record<string, string | undefined> = process.env): string {
  return env.CLINICSYNC_EXPORT_DIR || join(tmpdir(), 'clinicsync-exports');
}

const notFound = () => new AppError('NOT_FOUND', 'No such export file in this organization.');

export function createTenantExports(databases: DatabaseSet, root: () => string = () => exportRoot()): TenantExports {
  const running = new Set<string>();
  const folderOf = (tenantId: string, exportId: string) => {
    // Both are ids checked by the input schema; checked again because they become a path.
    if (!isId(tenantId) || !isId(exportId)) throw notFound();
    return join(root(), tenantId, exportId);
  };

  async function manifestOf(folder: string): Promise<ExportManifest> {
    try {
      return JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')) as ExportManifest;
    } catch {
      throw notFound();
    }
  }

  return {
    async create(tenantId) {
      if (running.has(tenantId)) throw new AppError('CONFLICT', 'An export of this organization is already running; wait for it to finish.');
      running.add(tenantId);
      const exportId = uuidv7();
      const folder = folderOf(tenantId, exportId);
      try {
        return { exportId, manifest: await exportTenant({ databases, tenantId, outDir: folder }) };
      } catch (error) {
        await rm(folder, { recursive: true, force: true });
        throw error;
      } finally {
        running.delete(tenantId);
      }
    },

    async readFile(tenantId, exportId, file, offset) {
      const folder = folderOf(tenantId, exportId);
      const manifest = await manifestOf(folder);
      const files = new Set([MANIFEST_FILE, manifest.extension.clinicsync.readme, ...manifest.output.map((entry) => entry.url), ...manifest.extension.clinicsync.operational.map((entry) => entry.url)]);
      if (!files.has(file)) throw notFound();
      const handle = await open(join(folder, file), 'r');
      try {
        const { size } = await handle.stat();
        const start = Math.min(offset, size);
        const buffer = Buffer.alloc(Math.min(EXPORT_CHUNK_BYTES, size - start));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
        const next = start + bytesRead;
        return { data: buffer.subarray(0, bytesRead).toString('base64'), offset: start, nextOffset: next < size ? next : null, size };
      } finally {
        await handle.close();
      }
    },

    async remove(tenantId, exportId) {
      const folder = folderOf(tenantId, exportId);
      try {
        await manifestOf(folder);
      } catch {
        return false;
      }
      await rm(folder, { recursive: true, force: true });
      return true;
    },
  };
}
