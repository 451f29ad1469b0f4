import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ImportReport, RowPlace } from './import-report.ts';
import type { RowProblem } from './row-problems.ts';

/** The resource types an import takes, in the order it takes them (appointments reference the other three). */
export const FHIR_IMPORT_ORDER = ['Patient', 'Practitioner', 'Location', 'Appointment'] as const;
export type FhirImportType = (typeof FHIR_IMPORT_ORDER)[number];

/** One resource of the source, or why its line or entry could not be read as one. */
export interface SourceResource {
  place: RowPlace;
  /** "<Type>/<id>", or the entry's fullUrl when a Bundle resource has no id. */
  sourceKey: string;
  resource: Record<string, unknown>;
}
export type SourceItem = ({ ok: true } & SourceResource) | { ok: false; place: RowPlace; problem: RowProblem };

export interface FhirSource {
  /** The resources of one type, read lazily (NDJSON: line by line). */
  items(type: FhirImportType): AsyncIterable<SourceItem>;
  /** The source key a reference names ("Patient/1", an absolute URL, a Bundle fullUrl), or null. */
  resolve(reference: string): { type: string; key: string } | null;
}

/** A Bundle is one JSON document and is read whole; bigger sets belong in NDJSON, which streams. */
const MAX_BUNDLE_BYTES = 100 * 1024 * 1024;
const BUNDLE_TYPES = new Set(['collection', 'transaction', 'batch']);
const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const REFERENCE = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

/** "Patient/1", "https://old.example/fhir/Patient/1", "Patient/1/_history/2" → Patient/1. */
export function parseReference(reference: string): { type: string; key: string } | null {
  const match = REFERENCE.exec(reference);
  return match ? { type: match[1]!, key: `${match[1]}/${match[2]}` } : null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Opens a FHIR R4 source: a Bundle (JSON; collection, transaction or batch), an NDJSON
 * directory (one file per resource type, "Patient.ndjson", "Patient.001.ndjson", ...), the
 * Bulk Data $export manifest of one (its "output" list names the files), or a single
 * NDJSON file. Whole-file problems go to the report; null when nothing can be read.
 */
export async function openFhirSource(path: string, report: ImportReport): Promise<FhirSource | null> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const names = (await readdir(path)).sort();
    const manifest = names.find((name) => name === 'manifest.json' || name === '$export.json');
    if (manifest) return manifestSource(join(path, manifest), report);
    return ndjsonSource(names.filter((name) => name.endsWith('.ndjson')).map((name) => join(path, name)), report);
  }
  if (path.endsWith('.ndjson')) return ndjsonSource([path], report);
  if (info.size > MAX_BUNDLE_BYTES) {
    report.fileError({ file: path }, 'file', 'is larger than 100 MB: export it as Bulk Data NDJSON instead of one Bundle');
    return null;
  }
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    report.fileError({ file: path }, 'file', 'is not valid JSON');
    return null;
  }
  if (isObject(document) && Array.isArray(document.output)) return manifestSource(path, report, document);
  if (!isObject(document) || document.resourceType !== 'Bundle') {
    report.fileError({ file: path }, 'resourceType', 'must be a Bundle (or give an NDJSON directory or its manifest)');
    return null;
  }
  if (typeof document.type !== 'string' || !BUNDLE_TYPES.has(document.type)) {
    report.fileError({ file: path }, 'type', 'must be a collection, transaction or batch Bundle');
    return null;
  }
  return bundleSource(path, document, report);
}

function bundleSource(file: string, bundle: Record<string, unknown>, report: ImportReport): FhirSource {
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const byFullUrl = new Map<string, { type: string; key: string }>();
  const byType = new Map<string, SourceItem[]>();
  const unsupported = new Map<string, number>();
  entries.forEach((entry: unknown, index) => {
    const place: RowPlace = { file, entry: index };
    const resource = isObject(entry) ? entry.resource : undefined;
    if (!isObject(entry) || !isObject(resource) || typeof resource.resourceType !== 'string') {
      report.fileWarning(place, 'entry', 'has no resource and was left out');
      return;
    }
    const type = resource.resourceType;
    if (isObject(entry.request) && entry.request.method === 'DELETE') {
      report.fileWarning(place, 'request', 'is a DELETE and was left out (an import only adds)');
      return;
    }
    if (!(FHIR_IMPORT_ORDER as readonly string[]).includes(type)) {
      unsupported.set(type, (unsupported.get(type) ?? 0) + 1);
      return;
    }
    const id = typeof resource.id === 'string' && ID.test(resource.id) ? resource.id : undefined;
    const fullUrl = typeof entry.fullUrl === 'string' && entry.fullUrl.length <= 300 ? entry.fullUrl : undefined;
    const key = id !== undefined ? `${type}/${id}` : fullUrl;
    const list = byType.get(type) ?? [];
    byType.set(type, list);
    if (key === undefined) {
      list.push({ ok: false, place, problem: { field: 'id', message: 'has neither a valid id nor a fullUrl, so a second import could not recognise it' } });
      return;
    }
    if (fullUrl !== undefined) byFullUrl.set(fullUrl, { type, key });
    list.push({ ok: true, place: { ...place, ...(id ? { id } : {}) }, sourceKey: key, resource });
  });
  for (const [type, count] of unsupported) report.fileWarning({ file }, 'entry', `${count} ${type} resource(s) left out: the import takes ${FHIR_IMPORT_ORDER.join(', ')}`);
  return {
    async *items(type) {
      yield* byType.get(type) ?? [];
    },
    resolve: (reference) => byFullUrl.get(reference) ?? parseReference(reference),
  };
}

/** The $export manifest: {"output": [{"type": "Patient", "url": ".../Patient.ndjson"}, ...]}; urls are found next to the manifest by file name. */
async function manifestSource(path: string, report: ImportReport, parsed?: Record<string, unknown>): Promise<FhirSource | null> {
  let manifest = parsed;
  if (!manifest) {
    try {
      const document: unknown = JSON.parse(await readFile(path, 'utf8'));
      if (isObject(document) && Array.isArray(document.output)) manifest = document;
    } catch {
      // reported below
    }
  }
  if (!manifest) {
    report.fileError({ file: path }, 'output', 'is not a Bulk Data manifest with an "output" list');
    return null;
  }
  const files: { type: string; file: string }[] = [];
  for (const output of manifest.output as unknown[]) {
    if (!isObject(output) || typeof output.type !== 'string' || typeof output.url !== 'string') continue;
    const name = basename(output.url.replace(/[?#].*$/, ''));
    files.push({ type: output.type, file: join(dirname(path), name) });
  }
  return ndjsonFiles(files, report);
}

function ndjsonSource(paths: readonly string[], report: ImportReport): FhirSource {
  return ndjsonFiles(
    paths.map((file) => ({ type: /^([A-Z][A-Za-z]+)(?:[._-][^/]*)?\.ndjson$/.exec(basename(file))?.[1] ?? '', file })),
    report,
  );
}

/** NDJSON files by resource type (from the manifest, or the file name: "Patient.ndjson", "Patient.001.ndjson"). */
function ndjsonFiles(files: readonly { type: string; file: string }[], report: ImportReport): FhirSource {
  for (const { type, file } of files) {
    if (type === '') report.fileError({ file }, 'file', 'is not named after its resource type (Patient.ndjson, Practitioner.ndjson, ...)');
    else if (!(FHIR_IMPORT_ORDER as readonly string[]).includes(type)) report.fileWarning({ file }, 'file', `${type} resources are left out: the import takes ${FHIR_IMPORT_ORDER.join(', ')}`);
  }
  return {
    async *items(type) {
      for (const source of files) if (source.type === type) yield* ndjsonItems(source.file, type);
    },
    resolve: parseReference,
  };
}

/** One file, line by line (readline keeps only the current line in memory). */
async function* ndjsonItems(file: string, type: FhirImportType): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    const place: RowPlace = { file, line };
    let resource: unknown;
    try {
      resource = JSON.parse(text);
    } catch {
      yield { ok: false, place, problem: { field: 'line', message: 'is not valid JSON' } };
      continue;
    }
    if (!isObject(resource) || resource.resourceType !== type) {
      yield { ok: false, place, problem: { field: 'resourceType', message: `must be ${type} in this file` } };
      continue;
    }
    if (typeof resource.id !== 'string' || !ID.test(resource.id)) {
      yield { ok: false, place, problem: { field: 'id', message: 'is missing or not a FHIR id, so a second import could not recognise the resource' } };
      continue;
    }
    yield { ok: true, place: { ...place, id: resource.id }, sourceKey: `${type}/${resource.id}`, resource };
  }
}
