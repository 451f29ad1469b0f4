import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSet } from '../db/domain-db.ts';
import { exportTenant, MANIFEST_FILE, type ExportManifest } from '../portability/export/export-tenant.ts';

export interface FinalExport {
  /** SHA-256 (hex) of manifest.json as written: whoever holds the export can check it against the certificate. */
  manifestSha256: string;
  resources: number;
  operationalFiles: number;
}

/**
 * The org's last export (sync-server/portability/export/), before anything is deleted.
 * The export writes manifest.json last, so a folder holding one is complete: an
 * interrupted run that got that far is adopted, not redone. A folder without one holds
 * the partial export of an interrupted run of this offboarding (the command checked the
 * folder was empty when it started), which is removed and written again.
 */
export async function finalExport(databases: DatabaseSet, tenantId: string, exportDir: string): Promise<FinalExport> {
  const manifestPath = join(exportDir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    if (existsSync(exportDir)) for (const name of readdirSync(exportDir)) rmSync(join(exportDir, name), { recursive: true, force: true });
    await exportTenant({ databases, tenantId, outDir: exportDir });
  }
  const bytes = readFileSync(manifestPath);
  const manifest = JSON.parse(bytes.toString('utf8')) as ExportManifest;
  if (manifest.extension.clinicsync.tenantId !== tenantId) throw new Error('the export folder holds another organization\'s export');
  return {
    manifestSha256: createHash('sha256').update(bytes).digest('hex'),
    resources: manifest.output.reduce((sum, file) => sum + file.count, 0),
    operationalFiles: manifest.extension.clinicsync.operational.length,
  };
}

/** True when the folder is missing or empty: where a first offboarding run may export. */
export function exportFolderFree(exportDir: string): boolean {
  return !existsSync(exportDir) || readdirSync(exportDir).length === 0;
}
