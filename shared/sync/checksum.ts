import { z } from 'zod';
import { SYNCED_DOMAINS } from '../domains.ts';
import { ENTITY_CATALOG, type EntityName } from '../entities/catalog.ts';
import { cursorSchema } from './pull.ts';

/**
 * The canonical digest of one domain's rows, computed the same way by the server (from its
 * change feed) and by a workstation (from its store), so the two can be compared without
 * sending any row. Canonical means: rows sorted by entity then id, each reduced to its id,
 * server version and the catalog's synced fields (nothing local such as derived columns or
 * per-field HLCs), values normalised (absent = null, object keys sorted). Both sides derive
 * the field list from ENTITY_CATALOG, so a new entity is covered without touching this file.
 */

/** Web Crypto and TextEncoder are global on Node 24, Electron and browsers (see shared/random.ts). */
declare const crypto: { subtle: { digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer> } };
declare const TextEncoder: new () => { encode(input: string): Uint8Array };

export interface ChecksumRow {
  entity: EntityName;
  id: string;
  version: number | null;
  fields: Readonly<Record<string, unknown>>;
}

export const digestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 digest');

/** sync.checksum input: the device may say what it holds, so the server can audit the verdict. */
export const checksumInputSchema = z.object({
  protocolVersion: z.number().int(),
  domain: z.enum(SYNCED_DOMAINS),
  /** The device's cursor and digest for the domain (optional: only for the audit verdict). */
  cursor: cursorSchema.optional(),
  digest: digestSchema.optional(),
});
export type ChecksumInput = z.input<typeof checksumInputSchema>;

export const checksumResultSchema = z.object({
  protocolVersion: z.number().int(),
  tenantId: z.string(),
  domain: z.enum(SYNCED_DOMAINS),
  /** The feed position the digest describes: compare only with a device at the same cursor. */
  cursor: cursorSchema,
  rows: z.number().int().nonnegative(),
  digest: digestSchema,
});
export type ChecksumResult = z.infer<typeof checksumResultSchema>;

/** What the server's audit entry says about the device's claim (never any row data). */
export type ChecksumVerdict = 'match' | 'mismatch' | 'behind' | 'unclaimed';

export function checksumVerdict(server: { cursor: string; digest: string }, device: { cursor?: string | undefined; digest?: string | undefined }): ChecksumVerdict {
  if (device.cursor === undefined || device.digest === undefined) return 'unclaimed';
  if (device.cursor !== server.cursor) return 'behind';
  return device.digest === server.digest ? 'match' : 'mismatch';
}

function canonicalValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(record).sort().map((key) => [key, canonicalValue(record[key])]));
  }
  return value;
}

const fieldNamesCache = new Map<EntityName, string[]>();
function syncedFields(entity: EntityName): string[] {
  let names = fieldNamesCache.get(entity);
  if (!names) fieldNamesCache.set(entity, (names = Object.keys(ENTITY_CATALOG[entity].fields.shape).sort()));
  return names;
}

/** One row's canonical text. */
export function checksumLine(row: ChecksumRow): string {
  const fields = syncedFields(row.entity).map((field) => [field, canonicalValue(row.fields[field])]);
  return JSON.stringify([row.entity, row.id, row.version, fields]);
}

/** Lines are hashed in chunks, then the chunk hashes together: one big string is never built. */
const CHUNK_LINES = 2_000;

function toHex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

const canonicalKey = (row: ChecksumRow) => `${row.entity}\u0000${row.id}`;

/**
 * The digest built from rows fed ALREADY in canonical order (entity, then id), a batch at
 * a time, so a desk can read its store page by page and let its event loop run between
 * pages instead of holding every row of a domain (300k on a big clinic) at once.
 * domainDigest is this after a sort: there is one definition of the digest.
 */
export class OrderedDomainDigest {
  private readonly encoder = new TextEncoder();
  private readonly chunkHashes: string[] = [];
  private lines: string[] = [];
  private count = 0;
  private lastKey: string | null = null;

  /** Throws if a row is not after the previous one in canonical order (the digest would be wrong). */
  async add(rows: Iterable<ChecksumRow>): Promise<void> {
    for (const row of rows) {
      const key = canonicalKey(row);
      if (this.lastKey !== null && this.lastKey > key) throw new Error('checksum rows are not in canonical order');
      this.lastKey = key;
      this.lines.push(checksumLine(row));
      this.count += 1;
      if (this.lines.length === CHUNK_LINES) await this.hashChunk();
    }
  }

  async finish(): Promise<{ rows: number; digest: string }> {
    if (this.lines.length > 0) await this.hashChunk();
    const digest = toHex(await crypto.subtle.digest('SHA-256', this.encoder.encode(`clinicsync-domain-digest-v1\n${this.count}\n${this.chunkHashes.join('\n')}`)));
    return { rows: this.count, digest };
  }

  private async hashChunk(): Promise<void> {
    const text = this.lines.join('\n');
    this.lines = [];
    this.chunkHashes.push(toHex(await crypto.subtle.digest('SHA-256', this.encoder.encode(text))));
  }
}

/** The domain's digest (hex SHA-256) over its rows in canonical order (any order in). */
export async function domainDigest(rows: Iterable<ChecksumRow>): Promise<{ rows: number; digest: string }> {
  const keyed: [string, ChecksumRow][] = [];
  for (const row of rows) keyed.push([canonicalKey(row), row]);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const digest = new OrderedDomainDigest();
  await digest.add(keyed.map(([, row]) => row));
  return digest.finish();
}
