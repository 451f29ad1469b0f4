import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseSet } from '../../db/domain-db.ts';
import { exportReadme } from './export-readme.ts';
import { loadLookups } from './export-lookups.ts';
import { writeFhirFiles } from './fhir-files.ts';
import { NEVER_EXPORTED, writeOperationalFiles } from './operational-files.ts';

/** The Bulk Data `$export` manifest, with Clinicsync's operational files under `extension`. */
export interface ExportManifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: false;
  output: { type: string; url: string; count: number }[];
  error: { type: string; url: string; count: number }[];
  extension: {
    clinicsync: {
      tenantId: string;
      finishedAt: string;
      operational: { url: string; format: 'csv' | 'ndjson'; table: string; count: number }[];
      readme: string;
      excluded: string[];
    };
  };
}

export const MANIFEST_FILE = 'manifest.json';

/**
 * Exports one org's data into `outDir` (created; must be empty): FHIR R4 NDJSON per resource
 * type, operational CSV/NDJSON, README.md and manifest.json (written last, so a folder with
 * a manifest is a complete export). Reads every table by keyset pages in short tenant
 * transactions (RLS applies: nothing of another org can be read) and writes with
 * backpressure, so memory stays bounded whatever the org's size. Not audited here: callers
 * (the CLI command, the procedure, offboarding) audit it as their own action.
 */
export async function exportTenant(opts: { databases: DatabaseSet; tenantId: string; outDir: string; now?: Date }): Promise<ExportManifest> {
  const { databases, tenantId, outDir } = opts;
  const transactionTime = (opts.now ?? new Date()).toISOString();
  await mkdir(join(outDir, 'operational'), { recursive: true, mode: 0o700 });
  const present = (await readdir(outDir)).filter((name) => name !== 'operational');
  if (present.length > 0 || (await readdir(join(outDir, 'operational'))).length > 0) {
    throw new Error('the export folder is not empty');
  }
  const lookups = await loadLookups(databases, tenantId);
  const fhir = await writeFhirFiles({ databases, tenantId, outDir, lookups });
  const operational = await writeOperationalFiles(databases, tenantId, outDir);
  await writeFile(join(outDir, 'README.md'), exportReadme({ tenantId, transactionTime, fhir }), { mode: 0o600 });
  const manifest: ExportManifest = {
    transactionTime,
    request: `Organization/${tenantId}/$export`,
    requiresAccessToken: false,
    output: fhir.map((entry) => ({ type: entry.type, url: entry.file, count: entry.count })),
    error: [],
    extension: {
      clinicsync: {
        tenantId,
        finishedAt: new Date().toISOString(),
        operational: operational.map((entry) => ({ url: entry.file, format: entry.format, table: entry.table, count: entry.rows })),
        readme: 'README.md',
        excluded: [...NEVER_EXPORTED],
      },
    },
  };
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return manifest;
}
