import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3-multiple-ciphers';
import { applyKey, pagesIntact } from './cipher-key.ts';

/**
 * The full-page read of one store (store-integrity.ts), on its own thread and its own
 * read-only connection, so the desk's event loop never waits for it. Posts exactly one
 * message: { intact: boolean } or { failed: string } (an error code, never data or key).
 */
export interface IntegrityWorkerInput {
  path: string;
  /** The raw store key, transferred (not copied) to this thread and zeroed once applied. */
  key: Uint8Array;
}
export type IntegrityWorkerMessage = { intact: boolean } | { failed: string };

const { path, key } = workerData as IntegrityWorkerInput;
let answer: IntegrityWorkerMessage;
try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    applyKey(db, key);
    key.fill(0);
    answer = { intact: pagesIntact(db) };
  } finally {
    db.close();
  }
} catch (error) {
  const code = (error as { code?: unknown }).code;
  answer = code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' ? { intact: false } : { failed: typeof code === 'string' ? code : 'ERROR' };
} finally {
  key.fill(0);
}
parentPort?.postMessage(answer);
