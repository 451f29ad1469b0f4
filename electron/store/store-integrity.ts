import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { pagesIntact } from './cipher-key.ts';
import type { Db } from './db.ts';
import type { IntegrityWorkerInput, IntegrityWorkerMessage } from './integrity-worker.ts';

/**
 * The full-page integrity read of an org store (every page's SQLCipher HMAC and the
 * b-tree), taken OFF the sign-in path.
 *
 * Why this design (and not "only after an unclean shutdown"): damage on disk (a flipped
 * bit, a torn copy, a bad sector) does not announce itself with a crash, so a check that
 * runs only after one would miss exactly the case it exists for. Instead EVERY open is
 * still checked in full, as before, only not while the person waits: a worker thread
 * with its own read-only connection to the same file, unlocked with the same key, reads
 * every page (~6.5 ms/MB: ~2 s on a 50k-patient store, which used to sit inside
 * session.signIn). The open itself still reads the pages it needs (page 1, the org
 * stamp, the schema version), and a damaged one of those is refused there and then.
 * When the worker finds damage, the store is reported 'damaged' to the workstation,
 * which closes the session (no further reads or writes) and says why; a marker file
 * beside the store (`<store>-damaged`, no data in it) makes the NEXT open run the check
 * synchronously and refuse the file before anything is written, as before. A worker that
 * cannot run at all falls back to the check on the open connection: slower, never skipped.
 */
export type IntegrityVerdict = 'intact' | 'damaged' | 'stopped';

export interface StoreIntegrityCheck {
  /** 'stopped': the store closed before the read finished (the next open checks again). */
  readonly verdict: Promise<IntegrityVerdict>;
  /** Ends the read (store closing); does not wait for the thread to exit. */
  stop(): void;
}

/** Lets the first screen's queries have the disk and the CPU first; damage is still found within seconds. */
export const INTEGRITY_CHECK_DELAY_MS = 1_000;

/**
 * The worker's script, beside this module (.ts from source, .js in dist/electron). In a
 * packaged app this module is inside app.asar, and the worker starts from the unpacked
 * copy in app.asar.unpacked (electron-builder.yml `asarUnpack`; test/builder-config.test.ts):
 * Electron gives worker threads asar support for require and fs, but an ES-module worker
 * entry inside the archive is not among the cases Electron documents, and from the
 * unpacked folder the worker needs nothing Electron-specific (its driver is unpacked too).
 * Without an unpacked copy the archive path is tried; a worker that cannot start falls
 * back to the check on the open connection.
 */
export function integrityWorkerUrl(moduleUrl: string): URL {
  const here = fileURLToPath(moduleUrl);
  const inArchive = join(dirname(here), `integrity-worker${extname(here)}`);
  const unpacked = inArchive.replace(/\.asar(?=[\\/])/, '.asar.unpacked');
  return pathToFileURL(unpacked !== inArchive && existsSync(unpacked) ? unpacked : inArchive);
}

const WORKER_URL = integrityWorkerUrl(import.meta.url);

export const damageMarkPath = (storePath: string) => `${storePath}-damaged`;

export function damageMarked(storePath: string): boolean {
  return existsSync(damageMarkPath(storePath));
}

/** Remembers that this store was found damaged (nothing but the fact: no data, no key). */
export function markDamaged(storePath: string): void {
  try {
    writeFileSync(damageMarkPath(storePath), 'The full-page check found this store damaged; the next open checks it before use.\n');
  } catch {
    // Best effort: without the mark the next open still checks, only in the background.
  }
}

export function clearDamageMark(storePath: string): void {
  rmSync(damageMarkPath(storePath), { force: true });
}

let held: Promise<void> | null = null;

/**
 * Test seam: background reads due from now on wait (after their delay) until `release` is
 * called, so a workstation-level test can change the store file between sign-in and the
 * read, whatever the machine's load. Nothing in the app calls it.
 */
export function holdIntegrityChecksForTest(): { release(): void } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  held = gate;
  return {
    release() {
      if (held === gate) held = null;
      release();
    },
  };
}

/** A check already done (synchronously, at open). */
export function settledCheck(verdict: IntegrityVerdict): StoreIntegrityCheck {
  return { verdict: Promise.resolve(verdict), stop: () => undefined };
}

/**
 * Starts the background read of the store at `path`. `key` is copied (the caller may zero
 * its own at once); `db` is the store's open connection, used only if no worker can run.
 */
export function startIntegrityCheck(options: { path: string; key: Uint8Array; db: Db; delayMs?: number }): StoreIntegrityCheck {
  const { path, db } = options;
  // Its own ArrayBuffer (never Node's shared pool), moved to the worker, zeroed there.
  const key = new Uint8Array(options.key);
  let worker: Worker | null = null;
  let stopped = false;
  let settle!: (verdict: IntegrityVerdict) => void;
  const verdict = new Promise<IntegrityVerdict>((resolve) => {
    let done = false;
    settle = (value) => {
      if (done) return;
      done = true;
      if (key.byteLength > 0) key.fill(0); // not handed to a worker (once moved, ours is detached and empty)
      if (value === 'damaged') markDamaged(path);
      resolve(value);
    };
  });
  const onMainConnection = () => {
    if (stopped || !db.open) return settle('stopped');
    try {
      settle(pagesIntact(db) ? 'intact' : 'damaged');
    } catch {
      settle(db.open ? 'damaged' : 'stopped');
    }
  };
  const start = () => {
    if (stopped) return settle('stopped');
    try {
      const input: IntegrityWorkerInput = { path, key };
      worker = new Worker(WORKER_URL, { workerData: input, transferList: [key.buffer as ArrayBuffer] });
    } catch {
      return onMainConnection();
    }
    worker.unref();
    worker.once('message', (message: IntegrityWorkerMessage) => {
      if (stopped) return settle('stopped');
      if ('intact' in message) settle(message.intact ? 'intact' : 'damaged');
      else onMainConnection();
    });
    worker.once('error', onMainConnection);
    worker.once('exit', () => settle('stopped'));
  };
  const timer = setTimeout(() => (held ? void held.then(start) : start()), options.delayMs ?? INTEGRITY_CHECK_DELAY_MS);
  timer.unref();
  return {
    verdict,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      void worker?.terminate();
      settle('stopped');
    },
  };
}
