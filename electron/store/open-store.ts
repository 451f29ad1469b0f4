import { existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { AppError } from '../../shared/errors.ts';
import type { Db } from './db.ts';
import { META_TENANT_ID, readMeta, writeMeta } from './meta.ts';
import { assertSchemaNotNewer, migrate, type MigrationOutcome } from './migrations.ts';
import { generationsBehind, resyncRestoredCopy, type RestoredCopyRecovery } from './restored-copy.ts';
import { applyKey, pagesIntact } from './cipher-key.ts';
import { StoreOpenError } from './store-errors.ts';
import { clearDamageMark, damageMarked, markDamaged, settledCheck, startIntegrityCheck, type StoreIntegrityCheck } from './store-integrity.ts';
import { readWatermark, watermarkMacKey, watermarkPath, type WatermarkProblem, type WatermarkReading } from './watermark.ts';
import { WatermarkKeeper } from './watermark-keeper.ts';
import { readWriteGeneration } from './write-generation.ts';

export const STORE_KEY_BYTES = 32;
/** SQLCipher v4's page size: an encrypted store's length is always a multiple of it. */
const SQLCIPHER_PAGE = 4096;

export interface OpenStoreOptions {
  path: string;
  /** 32 random bytes; used as the raw SQLCipher key (no passphrase KDF at open). */
  key: Buffer;
  /** The org this store must belong to; a fresh file is stamped with it. */
  tenantId: string;
}

/**
 * What to do with a store older than its watermark (a copy put back over the current one):
 * 'refuse' throws StoreOpenError('restored') with the file untouched; 'resync' performs the
 * safe resync (restored-copy.ts). The shell asks 'refuse' first and 'resync' on that error.
 */
export type RestoredCopyPolicy = 'refuse' | 'resync';

/** Facts about one open, for the shell to log or show (never secrets, never data). */
export interface StoreOpenReport {
  /** The file did not exist (or was empty) and was created now. */
  created: boolean;
  /** Schema versions before and after this open's migrations. */
  schema: MigrationOutcome;
  /**
   * The watermark found beside an existing store. 'unverifiable' raised no alarm (it might
   * be damaged, edited or another org's), was replaced, and is reported here so it is not
   * set aside silently; `watermarkProblem` says why.
   */
  watermark: WatermarkReading['state'];
  watermarkProblem: WatermarkProblem | null;
  /** Set when this open performed the safe resync of a restored copy. */
  recovery: RestoredCopyRecovery | null;
  /**
   * The full-page integrity read of this store (store-integrity.ts): done already for a
   * new file or one marked damaged before, otherwise running in the background; its
   * verdict 'damaged' means the session on this store must end. Stop it on close.
   */
  integrity: StoreIntegrityCheck;
}

export interface OpenedStore {
  db: Db;
  report: StoreOpenReport;
  /** Keeps the watermark file in step with the store after each commit. */
  watermark: WatermarkKeeper;
}

/** Opens the store and returns just the connection (tests and tools; OrgStore uses openStoreFile). */
export function openStore(options: OpenStoreOptions): Db {
  return openStoreFile(options).db;
}

/**
 * Opens (or creates) one org's SQLCipher v4 store. Nothing is written until the key has
 * been proven by a read, the org stamp checked, the schema found not newer than this app
 * and the file found not older than its watermark, so a wrong key, a foreign file, another
 * org's store, a newer app's store or a restored older copy is refused with the file's
 * bytes left exactly as they were. A page found damaged on the way is refused the same way
 * ('damaged'); the read of every page runs in the background (report.integrity), except
 * on a store an earlier check found damaged, which is checked in full before anything else.
 */
export function openStoreFile({ path, key, tenantId, restoredCopy = 'refuse' }: OpenStoreOptions & { restoredCopy?: RestoredCopyPolicy }): OpenedStore {
  if (key.length !== STORE_KEY_BYTES) throw new AppError('INTERNAL', 'The store key has the wrong length.');
  const existed = existsSync(path) && statSync(path).size > 0;
  mkdirSync(dirname(path), { recursive: true });
  const macKey = watermarkMacKey(key);
  const markPath = watermarkPath(path);
  const db = new Database(path);
  try {
    applyKey(db, key);
    verifyReadable(db, path, existed);
    // A fresh file, or one a crashed first open left unstamped, holds nothing to protect:
    // a watermark left from an earlier store of this org (wiped, discarded) must not alarm.
    let reading: WatermarkReading = { state: 'missing' };
    let checkedInFull = !existed;
    if (!existed) clearDamageMark(path); // left by an earlier store of this org, now gone
    if (existed && damageMarked(path)) {
      verifyIntact(db);
      clearDamageMark(path); // read back intact (replaced or repaired): back to background checks
      checkedInFull = true;
    }
    if (existed) {
      assertOwnedBy(db, tenantId);
      assertSchemaNotNewer(db);
      if (isStamped(db)) {
        reading = readWatermark(markPath, macKey, tenantId);
        if (restoredCopy === 'refuse' && generationsBehind(readWriteGeneration(db), reading) > 0) throw new StoreOpenError('restored');
      }
    }
    configure(db);
    const schema = migrate(db);
    if (!existed) db.transaction(() => writeMeta(db, META_TENANT_ID, tenantId))();
    // A file created by a crashed first open has the schema but maybe no stamp yet.
    else if (readMeta(db, META_TENANT_ID) === undefined) writeMeta(db, META_TENANT_ID, tenantId);
    const recovery = restoredCopy === 'resync' ? resyncRestoredCopy(db, reading) : null;

    // From here on the watermark follows the store. It is (re)written now unless it was
    // verified and still current: missing, unverifiable, left over, or just recovered.
    const written = reading.state === 'verified' && recovery === null ? reading.generation : -1;
    const watermark = new WatermarkKeeper({ db, path: markPath, macKey, tenantId, written });
    watermark.flush({ durable: true });
    const integrity = checkedInFull ? settledCheck('intact') : startIntegrityCheck({ path, key, db });
    const report: StoreOpenReport = {
      created: !existed,
      schema,
      watermark: reading.state,
      watermarkProblem: reading.state === 'unverifiable' ? reading.problem : null,
      recovery,
      integrity,
    };
    return { db, report, watermark };
  } catch (error) {
    db.close();
    // A page the open itself had to read failed its HMAC (or the b-tree is broken).
    if (existed && (error as { code?: unknown }).code === 'SQLITE_CORRUPT') {
      markDamaged(path);
      throw new StoreOpenError('damaged', { cause: error });
    }
    if (error instanceof StoreOpenError && error.reason === 'damaged') markDamaged(path);
    throw error;
  }
}

/** Exported for tests and the benchmark that build a store by hand (an older schema). */
export { applyKey };

function verifyReadable(db: Db, path: string, existed: boolean): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if (!existed) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB') throw new StoreOpenError(looksEncrypted(path) ? 'wrong_key' : 'not_a_database');
    throw new StoreOpenError('not_a_database');
  }
}

/**
 * The full-page read, synchronously: only for a store an earlier check found damaged (the
 * usual read runs in the background, store-integrity.ts). Before anything reads the org
 * stamp or writes, so a store still damaged is refused with its bytes as they were.
 */
function verifyIntact(db: Db): void {
  if (!pagesIntact(db)) throw new StoreOpenError('damaged');
}

/**
 * A SQLCipher file is indistinguishable from random bytes, so a failed read means either
 * a wrong key or not a store at all. A plaintext SQLite header or a length that is not a
 * whole number of pages can only be the latter.
 */
function looksEncrypted(path: string): boolean {
  const size = statSync(path).size;
  if (size < SQLCIPHER_PAGE || size % SQLCIPHER_PAGE !== 0) return false;
  const head = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return !head.toString('latin1').startsWith('SQLite format 3');
}

const hasMetaTable = (db: Db) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() !== undefined;

function assertOwnedBy(db: Db, tenantId: string): void {
  if (!hasMetaTable(db)) return; // created but never migrated: nothing in it yet
  const owner = readMeta(db, META_TENANT_ID);
  if (owner !== undefined && owner !== tenantId) throw new StoreOpenError('other_org');
}

function isStamped(db: Db): boolean {
  return hasMetaTable(db) && readMeta(db, META_TENANT_ID) !== undefined;
}

/** The connection settings every store runs with (the benchmark applies them to its plain twin). */
export function configure(db: Db): void {
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL may drop the last commits on power loss, and a
  // commit here is a clinician's saved edit plus its outbox entry. One fsync per write
  // is invisible at desk speed; bulk pulls commit once per page.
  db.pragma('synchronous = FULL');
  // Temporary tables and sort spills never touch the disk, where they would outlive a crash.
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536'); // 64 MiB: bootstrap pulls insert tens of thousands of rows
  db.pragma('foreign_keys = ON');
}
