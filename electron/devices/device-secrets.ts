import type { Db } from '../store/db.ts';
import { readMeta, writeMeta } from '../store/meta.ts';

/**
 * Secrets this device holds for one org live inside that org's encrypted store (never in
 * a plain file): the device credential from enrollment, and the last session token, which
 * is the proof a wipe report carries after the server has revoked the device.
 */
const DEVICE_CREDENTIAL = 'device_credential';
const LAST_SESSION_TOKEN = 'last_session_token';

export function saveDeviceCredential(db: Db, credential: string): void {
  writeMeta(db, DEVICE_CREDENTIAL, credential);
}

export function readDeviceCredential(db: Db): string | undefined {
  return readMeta(db, DEVICE_CREDENTIAL);
}

export function saveLastSessionToken(db: Db, token: string): void {
  writeMeta(db, LAST_SESSION_TOKEN, token);
}

/** What proves this device to the server once its sessions are revoked: the credential if enrolled, else the last token. */
export function wipeProof(db: Db): string | null {
  return readMeta(db, DEVICE_CREDENTIAL) ?? readMeta(db, LAST_SESSION_TOKEN) ?? null;
}
