import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** An export folder read back for checks: every file's text, and the FHIR resources by type. */
export interface ReadExport {
  /** Path relative to the folder -> text. */
  files: Map<string, string>;
  resources: Map<string, Record<string, unknown>[]>;
}

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name), root) : [relative(root, join(dir, entry.name))]));
}

export function readExport(dir: string): ReadExport {
  const files = new Map(walk(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
  const resources = new Map<string, Record<string, unknown>[]>();
  for (const [file, text] of files) {
    const match = /^([A-Za-z]+)\.ndjson$/.exec(file);
    if (match) resources.set(match[1]!, text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>));
  }
  return { files, resources };
}

/** Every `reference` string anywhere inside a value. */
export function referencesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'reference' && typeof inner === 'string') found.push(inner);
      else referencesIn(inner, found);
    }
  }
  return found;
}

/** All the text a reader of the export sees: every file, plus the decoded note texts (base64 in DocumentReference). */
export function searchableText(exported: ReadExport): string {
  const decoded = (exported.resources.get('DocumentReference') ?? []).flatMap((doc) =>
    ((doc.content as { attachment: { data?: string } }[] | undefined) ?? []).map((content) => Buffer.from(content.attachment.data ?? '', 'base64').toString('utf8')),
  );
  return [...exported.files.values(), ...decoded].join('\n');
}
