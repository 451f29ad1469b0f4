import { importInBatches } from './batches.ts';
import { CsvFormatError, readCsvRecords, type CsvRecord } from './csv-records.ts';
import type { ImportRun } from './import-run.ts';
import { ROSTER_COLUMNS, ROSTER_REQUIRED, rosterPatient } from './patient-rows.ts';
import { writePatientBatch } from './patient-writer.ts';

/**
 * Imports a CSV patient roster into one org. The first line is the header naming the
 * documented columns (any order, any case): mrn, given_name, family_name, birth_date
 * (required); sex, phone, national_id, insurance_member_id, passport, drivers_license.
 * Returns false if the file could not be read as a roster (the report says why).
 */
export async function importRoster(run: ImportRun, path: string, options: { batchSize?: number } = {}): Promise<boolean> {
  const { report } = run;
  const records = readCsvRecords(path);
  const first = await records.next().catch((error: unknown) => {
    if (error instanceof CsvFormatError) return { done: true as const, value: undefined };
    throw error;
  });
  if (first.done) {
    report.fileError({ file: path, line: 1 }, 'header', 'is missing: the first line must name the columns');
    return false;
  }
  const header = new Map<string, number>();
  first.value.fields.forEach((name, index) => {
    const column = name.trim().toLowerCase();
    if ((ROSTER_COLUMNS as readonly string[]).includes(column)) {
      if (!header.has(column)) header.set(column, index);
    } else report.fileWarning({ file: path, line: 1 }, `column ${index + 1}`, 'is not a roster column and was left out');
  });
  const missing = ROSTER_REQUIRED.filter((column) => !header.has(column));
  if (missing.length > 0) {
    report.fileError({ file: path, line: 1 }, 'header', `lacks the required column(s) ${missing.join(', ')}`);
    return false;
  }
  try {
    await importInBatches({
      kind: 'patients',
      report,
      items: records as AsyncIterable<CsvRecord>,
      map: (record) => ({ ...rosterPatient({ file: path, line: record.line }, header, record.fields), place: { file: path, line: record.line } }),
      write: (rows) => writePatientBatch(run, rows),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
  } catch (error) {
    if (!(error instanceof CsvFormatError)) throw error;
    // The rows before it are imported; nothing after it can be read reliably.
    report.fileError({ file: path, line: error.line }, 'file', `cannot be read on from here: ${error.message}`);
    return false;
  }
  return true;
}
