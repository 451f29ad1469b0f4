import { closeSync, fdatasyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { hlcSchema } from '../../shared/hlc.ts';

/**
 * A small file beside the store, `<store>.watermark`, recording the highest write
 * generation this workstation committed to the store and the last clock value it issued.
 * A store whose generation is lower than its watermark's is an older copy put back over
 * the current one (a backup restore, a disk image): see restored-copy.ts.
 *
 * It is written after the store commit (watermark-keeper.ts), so a crash can leave it
 * behind the store but never ahead of it: a lagging watermark raises no alarm.
 *
 * Authenticated with an HMAC whose key is derived from the store key (HKDF, one-way: the
 * file never holds or reveals the store key). It holds no PHI: an org id, a counter and a
 * clock value. It detects honest accidents, not an attacker who puts back both files.
 */
const FORMAT = 'clinicsync-store-watermark';
const MAC_INFO = 'clinicsync store watermark v1';

const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  tenantId: z.string(),
  generation: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  lastHlc: hlcSchema.nullable(),
  mac: z.string(),
});

export interface WatermarkState {
  generation: number;
  /** The device clock when that generation committed; null before the first write. */
  lastHlc: string | null;
}

/** Why a watermark was set aside: it raises no alarm, but the open reports it. */
export type WatermarkProblem = 'unreadable' | 'malformed' | 'other_org' | 'bad_mac';

export type WatermarkReading =
  | { state: 'missing' }
  | { state: 'unverifiable'; problem: WatermarkProblem }
  | ({ state: 'verified' } & WatermarkState);

export function watermarkPath(storePath: string): string {
  return `${storePath}.watermark`;
}

/** The MAC key: HKDF-SHA256 of the store key. The store key itself is never kept here. */
export function watermarkMacKey(storeKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), MAC_INFO, 32));
}

function macOf(macKey: Buffer, tenantId: string, state: WatermarkState): Buffer {
  // Length-prefixed fields, so no two different contents can share an input.
  const fields = [FORMAT, '1', tenantId, String(state.generation), state.lastHlc ?? ''];
  const hmac = createHmac('sha256', macKey);
  for (const field of fields) hmac.update(`${Buffer.byteLength(field)}:${field};`);
  return hmac.digest();
}

export function readWatermark(path: string, macKey: Buffer, tenantId: string): WatermarkReading {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    return { state: 'unverifiable', problem: 'unreadable' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { state: 'unverifiable', problem: 'malformed' };
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) return { state: 'unverifiable', problem: 'malformed' };
  const file = parsed.data;
  if (file.tenantId !== tenantId) return { state: 'unverifiable', problem: 'other_org' };
  const expected = macOf(macKey, tenantId, file);
  const given = Buffer.from(file.mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { state: 'unverifiable', problem: 'bad_mac' };
  return { state: 'verified', generation: file.generation, lastHlc: file.lastHlc };
}

/**
 * Temp file, then rename over the old one: other readers see the old watermark or the new
 * one, never a torn one. `durable` adds an fdatasync before the rename (open and close);
 * the writes in between skip it, because it would double the cost of every saved edit
 * (the store's own commit already syncs) and the watermark may lag: after a power cut it
 * is the old one (behind: no alarm) or, on a file system that reorders the rename, empty
 * (reported as unverifiable and replaced). It can never be ahead of the store.
 */
export function writeWatermark(path: string, macKey: Buffer, tenantId: string, state: WatermarkState, options: { durable?: boolean } = {}): void {
  const body = { format: FORMAT, version: 1, tenantId, generation: state.generation, lastHlc: state.lastHlc, mac: macOf(macKey, tenantId, state).toString('base64url') };
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(body)}\n`);
    if (options.durable) fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

export function removeWatermark(path: string): void {
  rmSync(path, { force: true });
}
