import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { PatientFields } from '../../shared/entities/patient.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { StoreClock } from '../../electron/store/clock.ts';
import type { Db } from '../../electron/store/db.ts';
import { META_TENANT_ID, writeMeta } from '../../electron/store/meta.ts';
import { migrate } from '../../electron/store/migrations.ts';
import { applyKey, configure } from '../../electron/store/open-store.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import { listPatients } from '../../electron/store/queries.ts';
import { EntityRepository } from '../../electron/store/repository.ts';
import { watermarkMacKey, writeWatermark } from '../../electron/store/watermark.ts';
import type { Figure } from './report.ts';

/**
 * What the encrypted store costs, side by side with a plain twin in one run (same schema,
 * same driver, same pragmas, same code, no key): the ratios are what survive a noisy
 * machine (each workload runs ROUNDS times per twin, alternating which goes first, and
 * the figure is the median). Open times (fresh, and a 100k-patient store including the
 * full-page quick_check at open), a 100k-row insert, the app's own write path, a query
 * workload on a cold and a warm connection, and one desk write with its watermark.
 */
const ROWS = 100_000;
const APP_ROWS = 10_000;
const ROWS_PER_TRANSACTION = 1_000; // a pull page
/** Each workload runs this many times per twin, alternating which twin goes first; figures are medians. */
const ROUNDS = 3;
const OPEN_RUNS = 9;
const DESK_WRITES = 200;

type Label = 'encrypted' | 'plain';

interface Twin {
  label: Label;
  /** Opens `path` as the app would: OrgStore (encrypted) or the same pragmas, schema and repositories (plain). */
  openApp(path: string): { db: Db; save(patient: PatientFields): void; close(): void };
  /** A bare connection: no open-time check, so no quick_check fills the page cache first. */
  openBare(path: string): Db;
  path(name: string): string;
}

export async function storeCipherBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'clinicsync-bench-store-'));
  const tenantId = uuidv7();
  const deviceId = uuidv7();
  const key = randomBytes(32);
  const twins: Record<Label, Twin> = {
    encrypted: {
      label: 'encrypted',
      openApp(path) {
        const store = OrgStore.open({ path, key, tenantId, deviceId });
        return { db: store.db, save: (patient) => void store.patients.create(patient), close: () => store.close() };
      },
      openBare(path) {
        const db = new Database(path);
        applyKey(db, key);
        configure(db);
        return db;
      },
      path: (name) => join(dir, 'encrypted', name, `${tenantId}.db`),
    },
    plain: {
      label: 'plain',
      openApp(path) {
        const db = openPlain(path, tenantId);
        const patients = new EntityRepository({ db, clock: new StoreClock(db, deviceId), entity: 'patient', noun: 'patient' });
        return { db, save: (patient) => void patients.create(patient), close: () => db.close() };
      },
      openBare(path) {
        const db = new Database(path);
        configure(db);
        return db;
      },
      path: (name) => join(dir, 'plain', name, `${tenantId}.db`),
    },
  };
  const figures: Figure[] = [];
  const side = (name: string, unit: string, note: string, values: Record<Label, number>) => {
    figures.push({ name: `${name}_encrypted_${unit}`, value: values.encrypted, unit, note });
    figures.push({ name: `${name}_plain_${unit}`, value: values.plain, unit, note: 'the same on plain SQLite' });
    figures.push({ name: `${name}_ratio`, value: values.encrypted / values.plain, unit: 'ratio', note: 'encrypted / plain' });
  };
  /** Runs `measure` for both twins, `rounds` times, alternating the order; medians per twin. */
  async function interleaved(rounds: number, measure: (twin: Twin, round: number) => number | Promise<number>): Promise<Record<Label, number>> {
    const times: Record<Label, number[]> = { encrypted: [], plain: [] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? [twins.plain, twins.encrypted] : [twins.encrypted, twins.plain];
      for (const twin of order) times[twin.label].push(await measure(twin, round));
    }
    return { encrypted: middle(times.encrypted), plain: middle(times.plain) };
  }

  try {
    // 1. A fresh store: create the file, migrate, stamp (encrypted: and the first watermark).
    side('store_open_fresh', 'ms', `open of a new file (median of ${OPEN_RUNS})`, await interleaved(OPEN_RUNS, (twin, i) => timed(() => twin.openApp(twin.path(`fresh-${i}`)).close())));

    // 2. 100k patient rows, 1000 per transaction, through one prepared statement: SQLite
    //    and the cipher, without the app's validation on top. This builds the big stores.
    const patients = syntheticPatients(ROWS);
    // The same ids in every store, so the lookups below hit the same rows in both twins.
    const rowIds = Array.from({ length: ROWS }, () => uuidv7());
    side(
      'insert_100k_rows',
      'ms',
      `${ROWS} patient rows (4 indexes), ${ROWS_PER_TRANSACTION} per transaction`,
      await interleaved(ROUNDS, (twin, round) => insertRows(twin, `big-${round}`, patients, rowIds)),
    );
    figures.push({ name: 'store_size_100k_mb', value: statSync(twins.encrypted.path('big-0')).size / 1e6, unit: 'MB', note: 'the encrypted 100k store after a checkpoint' });

    // 3. The app's write path: repository (validation, row, outbox entry, clock, generation).
    side(
      'insert_app_10k',
      'ms',
      `${APP_ROWS} patients through the repository (row + outbox entry), ${ROWS_PER_TRANSACTION} per transaction`,
      await interleaved(ROUNDS, (twin, round) => insertThroughApp(twin, `app-${round}`, patients.slice(0, APP_ROWS))),
    );

    // 4. Opening the 100k store as at sign-in (encrypted: quick_check of every page included).
    side(
      'store_open_100k',
      'ms',
      `open of the 100k store with the full-page quick_check (median of ${OPEN_RUNS})`,
      await interleaved(OPEN_RUNS, (twin) =>
        timed(() => {
          const opened = twin.openApp(twin.path('big-0'));
          if (twin.label === 'plain') opened.db.pragma('quick_check'); // the encrypted open runs it itself
          opened.close();
        }),
      ),
    );

    // 5. Queries: on a fresh connection (every page read and, encrypted, decrypted), then
    //    the same again on that warm connection.
    const random = seeded(3);
    const ids = Array.from({ length: 20_000 }, () => rowIds[Math.floor(random() * ROWS)]!);
    const warm: Record<Label, number[]> = { encrypted: [], plain: [] };
    const rowsRead = new Set<number>();
    const cold = await interleaved(ROUNDS, (twin) => {
      const db = twin.openBare(twin.path('big-0'));
      const first = queryWorkload(db, ids);
      const second = queryWorkload(db, ids);
      db.close();
      rowsRead.add(first.rows).add(second.rows);
      warm[twin.label].push(second.ms);
      return first.ms;
    });
    if (rowsRead.size !== 1) throw new Error('store bench: the two stores answered the same queries differently');
    side('query_cold', 'ms', 'fresh connection: 20k id + 2k MRN index lookups, 20 app name searches, 3 substring LIKE scans, 200 ordered birth-date range scans', cold);
    side('query_warm', 'ms', 'the same again on the warm connection (64 MiB page cache)', { encrypted: middle(warm.encrypted), plain: middle(warm.plain) });

    // 6. One desk write: a patient saved in its own transaction (fsync: synchronous = FULL),
    //    encrypted with the watermark following the commit, plain without.
    side(
      'desk_write',
      'ms',
      `median of ${DESK_WRITES} single-patient commits (encrypted: watermark file included)`,
      await interleaved(ROUNDS, (twin, round) => deskWrites(twin, `desk-${round}`, patients)),
    );
    const macKey = watermarkMacKey(key);
    const file = join(dir, 'bench.watermark');
    for (const durable of [false, true]) {
      const ms = middle(Array.from({ length: DESK_WRITES }, (_, i) => timed(() => writeWatermark(file, macKey, tenantId, { generation: i, lastHlc: null }, { durable }))));
      figures.push(
        durable
          ? { name: 'watermark_write_durable_ms', value: ms, unit: 'ms', note: 'the same with fdatasync (at open and close)' }
          : { name: 'watermark_write_ms', value: ms, unit: 'ms', note: 'one watermark write after a commit (temp file + rename)' },
      );
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The plain twin: the same driver without a key, with the store's own pragmas and schema. */
function openPlain(path: string, tenantId: string): Db {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  configure(db);
  if (migrate(db).from === 0) writeMeta(db, META_TENANT_ID, tenantId);
  return db;
}

function insertRows(twin: Twin, name: string, patients: readonly PatientFields[], ids: readonly string[]): number {
  const { db, close } = twin.openApp(twin.path(name));
  const insert = db.prepare(
    `INSERT INTO patients (id, given_name, family_name, birth_date, sex, phone, mrn, version, field_hlc) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)`,
  );
  const hlc = JSON.stringify({ givenName: '000001700000000-000000-bench' });
  const start = performance.now();
  for (let from = 0; from < patients.length; from += ROWS_PER_TRANSACTION) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + ROWS_PER_TRANSACTION, patients.length); i++) {
        const p = patients[i]!;
        insert.run(ids[i], p.givenName, p.familyName, p.birthDate, p.sex, p.phone, p.mrn, hlc);
      }
    })();
  }
  const elapsed = performance.now() - start;
  db.pragma('wal_checkpoint(TRUNCATE)');
  close();
  return elapsed;
}

async function insertThroughApp(twin: Twin, name: string, patients: readonly PatientFields[]): Promise<number> {
  const { db, save, close } = twin.openApp(twin.path(name));
  const start = performance.now();
  for (let from = 0; from < patients.length; from += ROWS_PER_TRANSACTION) {
    db.transaction(() => {
      for (const patient of patients.slice(from, from + ROWS_PER_TRANSACTION)) save(patient);
    })();
    await Promise.resolve(); // as between pulled pages: the watermark follows each commit
  }
  const elapsed = performance.now() - start;
  close();
  return elapsed;
}

/** Median ms of one patient saved in its own transaction, awaited as the local API would be. */
async function deskWrites(twin: Twin, name: string, patients: readonly PatientFields[]): Promise<number> {
  const { save, close } = twin.openApp(twin.path(name));
  const times: number[] = [];
  for (let i = 0; i < DESK_WRITES; i++) {
    const start = performance.now();
    save(patients[i]!);
    await Promise.resolve(); // the watermark flush (a microtask after the commit) runs here
    times.push(performance.now() - start);
  }
  close();
  return middle(times);
}

/** Runs the query workload; returns its time and how many rows it read (both twins must agree). */
function queryWorkload(db: Db, ids: readonly string[]): { ms: number; rows: number } {
  const byId = db.prepare('SELECT * FROM patients WHERE id = ?');
  const byMrn = db.prepare('SELECT id FROM patients WHERE mrn = ? COLLATE NOCASE');
  const range = db.prepare('SELECT * FROM patients WHERE birth_date BETWEEN ? AND ? ORDER BY birth_date LIMIT 500');
  const substring = db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM patients WHERE family_name LIKE ? ESCAPE '\\'");
  const random = seeded(7);
  let rows = 0;
  const start = performance.now();
  for (const id of ids) rows += byId.get(id) ? 1 : 0;
  for (let i = 0; i < 2_000; i++) rows += byMrn.all(`BM-${Math.floor(random() * ROWS)}`).length;
  for (let i = 0; i < 20; i++) rows += listPatients(db, { search: `Benchfam${Math.floor(random() * 500)}` }).length;
  for (const part of ['%fam12%', '%am3_%', '%9']) rows += substring.get(part)?.n ?? 0;
  for (let i = 0; i < 200; i++) {
    const from = 1930 + Math.floor(random() * 85);
    rows += range.all(`${from}-01-01`, `${from + 2}-12-31`).length;
  }
  return { ms: performance.now() - start, rows };
}

function syntheticPatients(count: number): PatientFields[] {
  const random = seeded(42);
  const given = ['Ada', 'Ben', 'Chloe', 'Dev', 'Emma', 'Farid', 'Grace', 'Hugo', 'Iris', 'Jon'];
  return Array.from({ length: count }, (_, i) => {
    const year = 1930 + Math.floor(random() * 90);
    const month = 1 + Math.floor(random() * 12);
    const day = 1 + Math.floor(random() * 28);
    return {
      givenName: given[i % given.length]!,
      familyName: `Benchfam${Math.floor(random() * 5_000)}`,
      birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
      sex: i % 2 === 0 ? 'female' : 'male',
      phone: `+1 555-${String(i % 10_000).padStart(4, '0')}`,
      mrn: `BM-${i}`,
    };
  });
}

/** Deterministic, so both twins get the same data and the same queries. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function timed(run: () => void): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

function middle(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
}
