import { importFhir, type FhirImportOptions } from './fhir-import.ts';
import { ImportReport, type ImportSummary } from './import-report.ts';
import { newImportRun, type ImportTargets } from './import-run.ts';
import { importRoster } from './roster-import.ts';

export type ImportSource = { kind: 'fhir'; path: string; mrnSystem?: string } | { kind: 'roster'; path: string };

export interface ImportResult extends ImportSummary {
  /** False when the source could not be read at all (nothing, or only the rows before a broken record, was imported). */
  readable: boolean;
  runId: string;
}

/**
 * One import into one org, start to end: the report file is opened first and always
 * closed with its summary; rows that fail are skipped and reported, good rows imported.
 */
export async function runImport(targets: ImportTargets, tenantId: string, source: ImportSource, reportPath: string, options: Pick<FhirImportOptions, 'batchSize'> = {}): Promise<ImportResult> {
  const report = await ImportReport.create(reportPath);
  const run = newImportRun(targets, tenantId, report);
  let readable: boolean;
  try {
    readable =
      source.kind === 'fhir'
        ? await importFhir(run, source.path, { ...options, ...(source.mrnSystem !== undefined ? { mrnSystem: source.mrnSystem } : {}) })
        : await importRoster(run, source.path, options);
  } catch (error) {
    await report.abandon();
    throw error;
  }
  return { ...(await report.close()), readable, runId: run.runId };
}
