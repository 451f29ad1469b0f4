import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { StoreClock } from './clock.ts';
import type { Db } from './db.ts';
import { META_TENANT_ID, writeMeta } from './meta.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION, schemaVersionOf } from './migrations.ts';
import { applyKey, configure } from './open-store.ts';
import { OrgStore } from './org-store.ts';
import { StoreOpenError } from './store-errors.ts';
import { sameStoreFileBytes, samplePatient, storeFileBytes } from './test-fixtures.ts';

let dir: ReturnType<typeof tempDir> | undefined;
const toClose: { close(): void }[] = [];
afterEach(() => {
  for (const item of toClose.splice(0)) item.close();
  dir?.remove();
  dir = undefined;
});

const tables = (db: Db) => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((row) => row.name);

/** Opens the encrypted file the way openStore does, but runs no migration. */
function rawOpen(path: string, key: Buffer): Db {
  const db = new Database(path);
  applyKey(db, key);
  configure(db);
  toClose.push({ close: () => db.open && db.close() });
  return db;
}

/**
 * A store as the previous release (schema 1) left it: stamped, with patients and their
 * outbox entries as that release wrote them (its own columns only: today's repositories
 * write columns later steps add), then closed.
 */
function schemaOneStore() {
  dir = tempDir();
  const options = { path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() };
  const db = rawOpen(options.path, options.key);
  migrate(db, { target: 1 });
  writeMeta(db, META_TENANT_ID, options.tenantId);
  const clock = new StoreClock(db, options.deviceId);
  const ids = [1, 2, 3].map((i) => {
    const id = uuidv7();
    const fields = samplePatient({ familyName: `Oldschema${i}`, mrn: `OLD-${i}` });
    const hlc = clock.tick();
    db.prepare(
      `INSERT INTO patients (id, given_name, family_name, birth_date, sex, phone, mrn, version, field_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
    ).run(id, fields.givenName, fields.familyName, fields.birthDate, fields.sex, fields.phone, fields.mrn, JSON.stringify(Object.fromEntries(Object.keys(fields).map((f) => [f, hlc]))));
    db.prepare(
      `INSERT INTO outbox (mutation_id, entity, entity_id, op, fields, hlc, base_version, created_at) VALUES (?, 'patient', ?, 'upsert', ?, ?, NULL, ?)`,
    ).run(uuidv7(), id, JSON.stringify(fields), hlc, new Date().toISOString());
    return id;
  });
  expect(schemaVersionOf(db)).toBe(1);
  expect(tables(db)).not.toContain('local_users');
  const patientRows = db.prepare('SELECT * FROM patients ORDER BY id').all();
  const outbox = db.prepare('SELECT * FROM outbox ORDER BY seq').all();
  db.close();
  return { options, ids, patientRows, outbox };
}

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('opening a store of the previous schema', () => {
  it('upgrades it to this schema: the new tables exist, every row and outbox entry is intact', () => {
    const { options, ids, patientRows, outbox } = schemaOneStore();
    const store = OrgStore.open(options);
    toClose.push(store);
    expect(store.openReport.schema).toEqual({ from: 1, to: SCHEMA_VERSION });
    expect(schemaVersionOf(store.db)).toBe(SCHEMA_VERSION);
    expect(tables(store.db)).toEqual(expect.arrayContaining(['local_users', 'break_glass', 'patients', 'outbox']));
    expect(store.db.prepare('SELECT * FROM patients ORDER BY id').all()).toEqual(patientRows);
    // Every old column as it was; columns added since are empty.
    expect(store.db.prepare('SELECT * FROM outbox ORDER BY seq').all()).toEqual(outbox.map((row) => ({ ...(row as object), base_hlc: null })));
    expect(store.pendingBatch(10).map((m) => m.id)).toEqual(ids);
    // And the upgraded store works: a new write, a query over old and new rows.
    store.patients.create(samplePatient({ familyName: 'Oldschema4', mrn: 'OLD-4' }));
    expect(store.listPatients({ search: 'Oldschema' })).toHaveLength(4);
  });

  it('rolls a failing step back whole: user_version, tables and rows as before, a typed error', () => {
    const { options, patientRows, outbox } = schemaOneStore();
    const db = rawOpen(options.path, options.key);
    // Step 2 as shipped, then a statement that fails half-way through the step.
    const broken = [MIGRATIONS[0]!, `${MIGRATIONS[1]!}\nINSERT INTO no_such_table VALUES (1);`];
    const error = caught(() => migrate(db, { stepsForTest: broken }));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error).toMatchObject({ code: 'STORE_MISMATCH', reason: 'upgrade_failed', message: expect.stringMatching(/could not be upgraded/) });
    expect((error as Error).cause).toBeInstanceOf(Error); // the SQLite error, for the log
    expect(schemaVersionOf(db)).toBe(1);
    expect(tables(db)).not.toContain('local_users'); // created by the step, rolled back with it
    expect(db.prepare('SELECT * FROM patients ORDER BY id').all()).toEqual(patientRows);
    expect(db.prepare('SELECT * FROM outbox ORDER BY seq').all()).toEqual(outbox);
    db.close();

    // The store is still the previous release's, whole: this app upgrades it as usual.
    const store = OrgStore.open(options);
    toClose.push(store);
    expect(schemaVersionOf(store.db)).toBe(SCHEMA_VERSION);
  });

  it('a failing future step leaves a current store at this schema, still usable', () => {
    dir = tempDir();
    const options = { path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() };
    const store = OrgStore.open(options);
    store.patients.create(samplePatient());
    const error = caught(() => migrate(store.db, { stepsForTest: [...MIGRATIONS, 'CREATE TABLE extra (x); SELECT no_such_function(1);'] }));
    expect(error).toMatchObject({ reason: 'upgrade_failed' });
    expect(schemaVersionOf(store.db)).toBe(SCHEMA_VERSION);
    expect(tables(store.db)).not.toContain('extra');
    expect(store.listPatients()).toHaveLength(1);
    store.close();
  });

  it('refuses a migration target outside the known steps', () => {
    dir = tempDir();
    const db = rawOpen(join(dir.path, 'org.db'), randomBytes(32));
    expect(() => migrate(db, { target: SCHEMA_VERSION + 1 })).toThrow(RangeError);
    expect(() => migrate(db, { target: -1 })).toThrow(RangeError);
    expect(schemaVersionOf(db)).toBe(0);
  });
});

describe('a store made by a newer Clinicsync', () => {
  function newerStore() {
    dir = tempDir();
    const options = { path: join(dir.path, 'stores', 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() };
    const store = OrgStore.open(options);
    store.patients.create(samplePatient());
    store.db.exec('CREATE TABLE from_the_future (x)');
    store.db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    store.close();
    return options;
  }

  it('is refused as STORE_MISMATCH/newer_schema, with the file, side files and watermark untouched', () => {
    const options = newerStore();
    const before = storeFileBytes(options.path);
    const error = caught(() => OrgStore.open(options));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error).toMatchObject({ code: 'STORE_MISMATCH', reason: 'newer_schema' });
    expect((error as Error).message).toMatch(/made by a newer version of Clinicsync.*Update this app.*nothing was changed/);
    expect(sameStoreFileBytes(options.path, before)).toBe(true);
    // Not on the recovery path either.
    expect(caught(() => OrgStore.openRestoredCopy(options))).toMatchObject({ reason: 'newer_schema' });
    expect(sameStoreFileBytes(options.path, before)).toBe(true);
  });

  it('is refused by migrate() itself with the same typed error', () => {
    const options = newerStore();
    const db = rawOpen(options.path, options.key);
    expect(caught(() => migrate(db))).toMatchObject({ reason: 'newer_schema' });
    expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION + 1);
  });
});
