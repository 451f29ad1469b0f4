import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../../shared/ids.ts';
import type { Db } from '../../electron/store/db.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import type { Figure } from './report.ts';
import { seeded } from './store-cipher.ts';

/**
 * Search as you type (issue 6) on an encrypted store of 50k patients and 250k appointments:
 * every prefix of QUERIES is one keystroke, timed through `store.listPatients` (the store
 * query only; rendering is the renderer's part). The rows go in by plain SQL in big
 * transactions, so the index is built by its triggers exactly as a pulled page builds it.
 * For comparison, the same keystrokes through the LIKE scan listPatients used before the
 * index (OLD_SCAN_SQL).
 */
const PATIENTS = 50_000;
const APPOINTMENTS = 250_000;
const ROWS_PER_TRANSACTION = 25_000;

const GIVEN = ['Ada', 'Amir', 'Ana', 'Ben', 'Béatrice', 'Chloé', 'Carlos', 'Dev', 'Dana', 'Emma', 'Eli', 'Farid', 'Fatima', 'Grace', 'Gus', 'Hugo', 'Hana', 'Iris', 'Ivan', 'Jon', 'Jia', 'Kofi', 'Kira', 'Liam', 'Lena', 'María', 'Mateo', 'Noor', 'Nils', 'Olga', 'Omar', 'Priya', 'Paul', 'Quinn', 'Rosa', 'Ravi', 'Sara', 'Sven', 'Tara', 'Yusuf', 'Zoë', 'José', 'Anaïs', 'Søren', 'Elena', 'Marco', 'Mohammed', 'Sophie', 'Thomas', 'Yuki'];
const FAMILY_START = ['Gar', 'Mar', 'Ros', 'Fis', 'Hal', 'Nov', 'Sil', 'Pat', 'Ngu', 'Kow', 'Lef', 'Bern', 'Dub', 'Sch', 'Wil', 'Mül', 'Ok', 'Tan', 'Ber', 'Cas', 'Jen', 'Lar', 'Mor', 'Str'];
const FAMILY_END = ['cia', 'tin', 'si', 'cher', 'ley', 'ak', 'va', 'el', 'yen', 'alski', 'èvre', 'ard', 'ois', 'midt', 'son', 'ler', 'afor', 'aka', 'ger', 'tro', 'sen', 'sen', 'eau', 'öm'];

/** 30 things a front desk types: names (some with accents typed or not), MRNs, phones, birth dates. */
const QUERIES = [
  'garcia',
  'maria gar',
  'Maria Garcia',
  'jose ros',
  'zoe lef',
  'Lefèvre',
  'schmidt an',
  'mu',
  'kowalski tho',
  'nguyen y',
  'okafor kofi',
  'hal',
  'Béatrice Ber',
  'beatrice',
  'søren lar',
  'MRN-004217',
  'mrn-01234',
  'MRN-049999',
  'mrn-3',
  '555-0142',
  '+1 555-018',
  '(555) 012-3',
  '5550199',
  '1985-06-15',
  '1972-11',
  '15/06/1985',
  '06/15/1985',
  '2001-02-03',
  'tara 1990',
  'strom liam',
];

/** The LIKE scan listPatients ran before the index (issue 6), for comparison only. */
function oldScan(db: Db, term: string): number {
  const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);
  const params: Record<string, string | number> = { limit: 100 };
  const words = term.trim().split(/\s+/).slice(0, 5);
  const alternatives = [
    `(${words
      .map((word, i) => {
        params[`w${i}`] = `${escapeLike(word)}%`;
        return `(p.given_name LIKE @w${i} ESCAPE '\\' OR p.family_name LIKE @w${i} ESCAPE '\\')`;
      })
      .join(' AND ')})`,
  ];
  if (/^\d{4}-\d{2}-\d{2}$/.test(term)) {
    params['date'] = term;
    alternatives.push('p.birth_date = @date');
  }
  params['mrn'] = term;
  alternatives.push('p.mrn = @mrn COLLATE NOCASE');
  const digits = term.replace(/\D/g, '');
  if (digits.length >= 4 && /^[0-9+()\-. ]+$/.test(term)) {
    params['digits'] = digits;
    alternatives.push('digits_only(p.phone) = @digits');
  }
  return db
    .prepare(
      `SELECT p.* FROM patients p WHERE ${alternatives.join(' OR ')}
       ORDER BY p.family_name COLLATE NOCASE, p.given_name COLLATE NOCASE, p.id LIMIT @limit`,
    )
    .all(params).length;
}

export async function patientSearchBench(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'clinicsync-bench-search-'));
  const store = OrgStore.open({ path: join(dir, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
  try {
    const buildMs = load(store.db);
    // Only the old scan below needs it (the index holds phone digits itself).
    store.db.function('digits_only', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.replace(/\D/g, '') : null));
    const keystrokes = QUERIES.flatMap((query) => Array.from({ length: query.length }, (_, i) => query.slice(0, i + 1)));
    for (const query of QUERIES.slice(0, 3)) store.listPatients({ search: query }); // warm the page cache as an open app has it
    let found = 0;
    const times = keystrokes.map((search) => {
      const start = performance.now();
      found += store.listPatients({ search }).length;
      return performance.now() - start;
    });
    const oldTimes = keystrokes.map((search) => {
      const start = performance.now();
      oldScan(store.db, search);
      return performance.now() - start;
    });
    const n = `${PATIENTS / 1000}k patients, ${APPOINTMENTS / 1000}k appointments, encrypted; ${keystrokes.length} keystrokes of ${QUERIES.length} queries`;
    return [
      { name: 'search_store_load_s', value: buildMs / 1000, unit: 's', note: `SQL inserts of ${n.split(';')[0]} with the search index kept by its triggers` },
      { name: 'search_p50_ms', value: percentile(times, 0.5), unit: 'ms', note: `store.listPatients per keystroke (${n})` },
      { name: 'search_p95_ms', value: percentile(times, 0.95), unit: 'ms', note: 'issue 6 budget: 30 ms keystroke to rendered results' },
      { name: 'search_max_ms', value: Math.max(...times), unit: 'ms', note: 'slowest keystroke' },
      { name: 'search_rows_mean', value: found / keystrokes.length, unit: 'rows', note: 'patients returned per keystroke (limit 100)' },
      { name: 'search_old_scan_p95_ms', value: percentile(oldTimes, 0.95), unit: 'ms', note: 'the LIKE scan used before the index, same keystrokes' },
      { name: 'search_old_scan_max_ms', value: Math.max(...oldTimes), unit: 'ms', note: 'the LIKE scan, slowest keystroke' },
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Inserts the patients and appointments by SQL in big transactions; returns the time taken. */
function load(db: Db): number {
  const random = seeded(6);
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const patientIds: string[] = [];
  const insertPatient = db.prepare('INSERT INTO patients VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)');
  const insertAppointment = db.prepare('INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)');
  const start = performance.now();
  for (let from = 0; from < PATIENTS; from += ROWS_PER_TRANSACTION) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + ROWS_PER_TRANSACTION, PATIENTS); i++) {
        const id = uuidv7();
        patientIds.push(id);
        const birth = new Date(Date.UTC(1930, 0, 1) + Math.floor(random() * 34_000) * 86_400_000).toISOString().slice(0, 10);
        const phone = `+1 555-${String(Math.floor(random() * 10_000_000)).padStart(7, '0')}`;
        const family = i % 10 === 0 ? 'Garcia' : `${pick(FAMILY_START)}${pick(FAMILY_END)}`;
        insertPatient.run(id, pick(GIVEN), family, birth, pick(['female', 'male', 'other']), phone, `MRN-${String(i).padStart(6, '0')}`, '{}');
      }
    })();
  }
  for (let from = 0; from < APPOINTMENTS; from += ROWS_PER_TRANSACTION) {
    db.transaction(() => {
      for (let i = from; i < Math.min(from + ROWS_PER_TRANSACTION, APPOINTMENTS); i++) {
        const startsMs = Date.UTC(2024, 0, 1) + Math.floor(random() * 730) * 86_400_000 + Math.floor(random() * 20) * 1_800_000;
        const starts = new Date(startsMs).toISOString();
        const ends = new Date(startsMs + 1_800_000).toISOString();
        insertAppointment.run(uuidv7(), pick(patientIds), starts, ends, startsMs, 'booked', 'Follow-up', 'Dr Abara', 'Room 1', '{}');
      }
    })();
  }
  return performance.now() - start;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}
