import { fhirAppointment } from './appointment-rows.ts';
import { importInBatches } from './batches.ts';
import { openFhirSource, type SourceItem } from './fhir-source.ts';
import type { ImportKind, RowPlace } from './import-report.ts';
import type { ImportRun } from './import-run.ts';
import { fhirPatient } from './patient-rows.ts';
import { writePatientBatch } from './patient-writer.ts';
import type { Mapped } from './row-problems.ts';
import { writeAppointmentBatch, writeLocationBatch } from './scheduling-writer.ts';
import { fhirLocation, fhirPractitioner } from './setup-rows.ts';
import { writePractitionerBatch } from './staff-writer.ts';

export interface FhirImportOptions {
  /** The identifier system that carries the practice's MRN, when its identifiers are not typed MR. */
  mrnSystem?: string;
  batchSize?: number;
}

/** A source item that could not be read as a resource, or the mapped row (with its place either way). */
function mapItem<R>(item: SourceItem, map: (place: RowPlace, key: string, resource: Record<string, unknown>) => Mapped<R>): Mapped<R> & { place: RowPlace } {
  if (!item.ok) return { ok: false, problems: [item.problem], place: item.place };
  return { ...map(item.place, item.sourceKey, item.resource), place: item.place };
}

/**
 * Imports a FHIR R4 Bundle or Bulk Data NDJSON set into one org: patients first (linked
 * or created), then practitioners and locations, then the appointments that reference
 * them. Returns false if the source could not be opened at all (the report says why).
 */
export async function importFhir(run: ImportRun, path: string, options: FhirImportOptions = {}): Promise<boolean> {
  const source = await openFhirSource(path, run.report);
  if (!source) return false;
  const common = (kind: ImportKind) => ({ kind, report: run.report, ...(options.batchSize ? { batchSize: options.batchSize } : {}) });
  await importInBatches({
    ...common('patients'),
    items: source.items('Patient'),
    map: (item) => mapItem(item, (place, key, resource) => fhirPatient(place, key, resource, options.mrnSystem)),
    write: (rows) => writePatientBatch(run, rows),
  });
  await importInBatches({
    ...common('practitioners'),
    items: source.items('Practitioner'),
    map: (item) => mapItem(item, fhirPractitioner),
    write: (rows) => writePractitionerBatch(run, rows),
  });
  await importInBatches({
    ...common('locations'),
    items: source.items('Location'),
    map: (item) => mapItem(item, fhirLocation),
    write: (rows) => writeLocationBatch(run, rows),
  });
  await importInBatches({
    ...common('appointments'),
    items: source.items('Appointment'),
    map: (item) => mapItem(item, (place, key, resource) => fhirAppointment(place, key, resource, source)),
    write: (rows) => writeAppointmentBatch(run, rows),
  });
  return true;
}
