import { z } from 'zod';
import { randomBytes, toHex } from './random.ts';

/**
 * UUIDv7 (RFC 9562): time-ordered, so rows inserted in creation order append to B-tree
 * pages on both the server and the SQLCipher store instead of splitting random pages.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6]! & 0x0f) | 0x70;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Ids on the wire: lower-case RFC 4122/9562 UUIDs (any version 1–8). */
export const idSchema = z.string().regex(UUID_PATTERN, 'must be a lower-case UUID');
export type Id = z.infer<typeof idSchema>;

export function isId(value: unknown): value is Id {
  return typeof value === 'string' && UUID_PATTERN.test(value);
}
