import type { Db } from '../store/db.ts';
import { readMeta, writeMeta } from '../store/meta.ts';

/**
 * The org's last session token, kept inside its encrypted store. Once the server has
 * revoked this device, the token opens nothing, but it still proves to the server that a
 * wipe report comes from this device (devices.reportWipe).
 */
const LAST_SESSION_TOKEN = 'last_session_token';

export function saveSessionProof(db: Db, token: string): void {
  writeMeta(db, LAST_SESSION_TOKEN, token);
}

export function readSessionProof(db: Db): string | null {
  return db.open ? (readMeta(db, LAST_SESSION_TOKEN) ?? null) : null;
}
