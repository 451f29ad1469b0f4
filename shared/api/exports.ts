import { z } from 'zod';
import { idSchema } from '../ids.ts';

/**
 * Inputs of the exports.* procedures: an org admin takes the org's data out (FHIR R4 Bulk
 * Data NDJSON + operational CSV/NDJSON). `create` writes the export on the server and
 * answers with its manifest; `readFile` fetches one file of it in chunks (base64, at most
 * 1 MiB of file per call: ask again from `nextOffset` until it is null); `remove` deletes it.
 */
export const exportsCreateInput = z.strictObject({}).prefault({});

/** A file named in the export's manifest: `Patient.ndjson`, `operational/staff.csv`, `README.md`, `manifest.json`. */
export const exportFileName = z.string().max(100).regex(/^(operational\/)?[A-Za-z_]+\.(ndjson|csv|json|md)$/, 'is not a file of an export');

export const exportsReadFileInput = z.strictObject({
  exportId: idSchema,
  file: exportFileName,
  offset: z.number().int().min(0).max(2 ** 40).default(0),
});

export const exportRef = z.strictObject({ exportId: idSchema });
