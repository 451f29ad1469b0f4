import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import { afterEach, describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { PullPage } from '../../shared/sync/pull.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { META_TENANT_ID, writeMeta } from './meta.ts';
import { MIGRATIONS, migrate, SCHEMA_VERSION } from './migrations.ts';
import { applyKey, configure } from './open-store.ts';
import { OrgStore } from './org-store.ts';
import { searchCap } from './queries.ts';
import { birthDateReadings } from './patient-search.ts';
import { SEARCH_TABLES_SQL } from './schema/search-tables.ts';
import { samplePatient } from './test-fixtures.ts';

let dir: ReturnType<typeof tempDir> | undefined;
let store: OrgStore | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
  dir?.remove();
  dir = undefined;
});

function storeOptions() {
  dir = tempDir();
  return { path: join(dir.path, 'stores', 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() };
}

function openFresh(): OrgStore {
  store = OrgStore.open(storeOptions());
  return store;
}

/** The front desk's four made-up patients. */
function clinic(s: OrgStore) {
  const ada = s.patients.create(samplePatient({ givenName: 'Ada', familyName: 'Lovelace', birthDate: '1985-06-15', phone: '+1 555-0123', mrn: 'MRN-0012' })).id;
  const zoe = s.patients.create(samplePatient({ givenName: 'Zoë', familyName: 'Émile-Durand', birthDate: '1985-07-06', phone: '(555) 777-1234', mrn: 'X-9' })).id;
  const bob = s.patients.create(samplePatient({ givenName: 'Bob', familyName: "O'Brien", birthDate: '1990-01-01', phone: '555 9000', mrn: 'MRN-0120' })).id;
  const adam = s.patients.create(samplePatient({ givenName: 'Adam', familyName: 'Lovelace', birthDate: '2001-12-30', phone: '+44 20 7946 0018', mrn: 'A-1' })).id;
  return { ada, zoe, bob, adam };
}

const found = (s: OrgStore, search: string) => s.listPatients({ search }).map((p) => p.givenName);

describe('patient search as you type', () => {
  it('finds by name prefix, every word required, in name order', () => {
    const s = openFresh();
    clinic(s);
    expect(found(s, 'love')).toEqual(['Ada', 'Adam']);
    expect(found(s, 'ada')).toEqual(['Ada', 'Adam']);
    expect(found(s, 'adam')).toEqual(['Adam']);
    expect(found(s, 'lovelace ada')).toEqual(['Ada', 'Adam']);
    expect(found(s, 'ada lovelace x')).toEqual([]);
    expect(found(s, 'bob lov')).toEqual([]);
    expect(found(s, "o'bri")).toEqual(['Bob']);
    expect(found(s, 'brien')).toEqual(['Bob']);
  });

  it('ignores case and accents on both sides', () => {
    const s = openFresh();
    clinic(s);
    expect(found(s, 'zoe')).toEqual(['Zoë']);
    expect(found(s, 'ZOË')).toEqual(['Zoë']);
    expect(found(s, 'emile')).toEqual(['Zoë']);
    expect(found(s, 'ÉMILE-DUR')).toEqual(['Zoë']);
    expect(found(s, 'durand zo')).toEqual(['Zoë']);
  });

  it('finds by MRN prefix, punctuation ignored, an exact MRN first', () => {
    const s = openFresh();
    clinic(s);
    expect(found(s, 'mrn-001')).toEqual(['Ada']);
    expect(found(s, 'MRN0012')).toEqual(['Ada']);
    expect(found(s, 'x-9')).toEqual(['Zoë']);
    // "MRN-01" prefixes only Bob's MRN-0120; "mrn-0" both, and an exact MRN beats name order.
    expect(found(s, 'mrn-01')).toEqual(['Bob']);
    expect(found(s, 'mrn-0')).toEqual(['Ada', 'Bob']);
    expect(found(s, 'MRN-0120')).toEqual(['Bob']);
    const exactFirst = s.patients.create(samplePatient({ givenName: 'Aaron', familyName: 'Zz', mrn: 'MRN-0' })).id;
    expect(found(s, 'mrn-0')).toEqual(['Aaron', 'Ada', 'Bob']);
    s.patients.update(exactFirst, { mrn: 'MRN-0199' });
    expect(found(s, 'MRN-0')).toEqual(['Ada', 'Bob', 'Aaron']); // no exact MRN now: name order only
  });

  it('finds by phone digits, with or without the country code, whatever the punctuation', () => {
    const s = openFresh();
    clinic(s);
    expect(found(s, '5550123')).toEqual(['Ada']);
    expect(found(s, '555-01')).toEqual(['Ada']);
    expect(found(s, '+1 555 0123')).toEqual(['Ada']);
    expect(found(s, '(555) 777-12')).toEqual(['Zoë']);
    expect(found(s, '5557771234')).toEqual(['Zoë']);
    expect(found(s, '20 7946')).toEqual(['Adam']);
    expect(found(s, '4420794600')).toEqual(['Adam']);
    expect(found(s, '555')).toEqual(['Ada', 'Bob', 'Zoë']);
  });

  it('finds by birth date: ISO (prefix while typing), and D/M/YYYY or M/D/YYYY under every valid reading', () => {
    const s = openFresh();
    clinic(s);
    expect(found(s, '1985-06-15')).toEqual(['Ada']);
    expect(found(s, '1985-0')).toEqual(['Ada', 'Zoë']);
    expect(found(s, '1985-07')).toEqual(['Zoë']);
    expect(found(s, '15/06/1985')).toEqual(['Ada']); // only a day-first reading exists
    expect(found(s, '06/15/1985')).toEqual(['Ada']); // only a month-first reading exists
    expect(found(s, '15.06.1985')).toEqual(['Ada']);
    expect(found(s, '6/7/1985')).toEqual(['Zoë']); // 6 July (day-first)...
    expect(found(s, '7/6/1985')).toEqual(['Zoë']); // ...or 6 July (month-first)
    expect(found(s, '30/12/2001 love')).toEqual(['Adam']);
    expect(found(s, '31/02/1985')).toEqual([]);
    expect(birthDateReadings('06/07/1985').sort()).toEqual(['19850607', '19850706']);
    expect(birthDateReadings('05/05/1985')).toEqual(['19850505']);
    expect(birthDateReadings('13/13/1985')).toEqual([]);
  });

  it('treats SQL and FTS syntax as text, never an error', () => {
    const s = openFresh();
    clinic(s);
    s.patients.create(samplePatient({ givenName: 'Near', familyName: 'And-Or "Not"' }));
    for (const search of ['"', '""', "'", '*', 'ada*', '"ada', 'ada"', 'NEAR(ada love)', 'ada NEAR love', '-ada', 'ada -love', '(ada', 'ada)', '()', 'ada OR bob', 'ada AND', 'NOT ada', 'names:ada', '{names}:ada', '^ada', 'ada +', "'; DROP TABLE patients; --", '%', '_', '\\', 'a\u0000b']) {
      expect(() => s.listPatients({ search })).not.toThrow();
    }
    // Operators are words like any other: they must match too.
    expect(found(s, 'ada OR bob')).toEqual([]);
    expect(found(s, 'NEAR(ada love)')).toEqual([]);
    expect(found(s, 'near')).toEqual(['Near']);
    expect(found(s, '"not" and-or')).toEqual(['Near']);
    expect(found(s, 'ada*')).toEqual(['Ada', 'Adam']);
    expect(found(s, '(ada')).toEqual(['Ada', 'Adam']);
    // Punctuation only: nothing to match.
    expect(found(s, '*')).toEqual([]);
    expect(found(s, '%')).toEqual([]);
    expect(found(s, '"')).toEqual([]);
    expect(s.db.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 5 });
  });

  it('follows local edits and deletes', () => {
    const s = openFresh();
    const { ada, bob } = clinic(s);
    s.patients.update(ada, { familyName: 'Byron', phone: '555 4444' });
    expect(found(s, 'lovelace')).toEqual(['Adam']);
    expect(found(s, 'byron')).toEqual(['Ada']);
    expect(found(s, '5554444')).toEqual(['Ada']);
    expect(found(s, '5550123')).toEqual([]);
    s.patients.delete(bob);
    expect(found(s, 'bob')).toEqual([]);
    expect(found(s, 'mrn-0120')).toEqual([]);
    expect(s.db.prepare('SELECT count(*) AS n FROM patient_search_rows').get()).toEqual({ n: 3 });
    expect(s.listPatients({ search: 'byron' })).toEqual([expect.objectContaining({ id: ada, pending: true })]);
  });

  it('follows pulled pages: new, changed and deleted patients', () => {
    const s = openFresh();
    const { ada, bob } = clinic(s);
    const hlc = formatHlc({ ms: Date.now() + 60_000, counter: 0, node: 'server' });
    const pulledId = uuidv7();
    const page: PullPage = {
      protocolVersion: 1,
      tenantId: s.tenantId,
      domain: 'master_data',
      cursor: '7',
      hasMore: false,
      serverHlc: hlc,
      changes: [
        { seq: '5', entity: 'patient', id: pulledId, op: 'upsert', fields: samplePatient({ givenName: 'Pulled', familyName: 'Newcomer', mrn: 'SRV-77' }), fieldHlc: {}, version: 1 },
        { seq: '6', entity: 'patient', id: ada, op: 'upsert', fields: samplePatient({ givenName: 'Ada', familyName: 'King', mrn: 'MRN-0012' }), fieldHlc: Object.fromEntries(['givenName', 'familyName', 'birthDate', 'sex', 'phone', 'mrn'].map((f) => [f, hlc])), version: 2 },
        { seq: '7', entity: 'patient', id: bob, op: 'delete', fields: {}, fieldHlc: {}, version: 3 },
      ],
    } as PullPage;
    s.applyPage(page);
    expect(found(s, 'newcom')).toEqual(['Pulled']);
    expect(found(s, 'srv-77')).toEqual(['Pulled']);
    expect(found(s, 'king')).toEqual(['Ada']);
    expect(found(s, 'lovelace')).toEqual(['Adam']);
    expect(found(s, "o'brien")).toEqual([]);
  });

  it('honours the limit, and no search lists everyone', () => {
    const s = openFresh();
    clinic(s);
    expect(s.listPatients({ search: 'a', limit: 2 })).toHaveLength(2);
    expect(s.listPatients()).toHaveLength(4);
  });
});

describe('a broad search (more matches than it ranks)', () => {
  it('answers with matching patients in name order, the exact MRN first even when found last', () => {
    const s = openFresh();
    s.db.transaction(() => {
      for (let i = 0; i < 1_500; i++) s.patients.create(samplePatient({ givenName: `G${i}`, familyName: 'Broad', mrn: `B-${String(i).padStart(5, '0')}` }));
    })();
    // Made last: its index rowid is beyond the first matches a broad search ranks.
    s.patients.create(samplePatient({ givenName: 'Zed', familyName: 'Zulu', mrn: 'B' }));
    const rows = s.listPatients({ search: 'b', limit: 50 });
    expect(rows).toHaveLength(50);
    expect(rows[0]).toMatchObject({ givenName: 'Zed', mrn: 'B' }); // "b" is exactly its MRN
    const rest = rows.slice(1);
    expect(rest.every((row) => row.familyName === 'Broad')).toBe(true);
    const names = rest.map((row) => `${row.familyName} ${row.givenName}`.toLowerCase());
    expect(names).toEqual([...names].sort());
    // Narrower: every match is ranked, so these are the first by name of all of them.
    expect(s.listPatients({ search: 'broad g14', limit: 5 }).map((row) => row.givenName)).toEqual(['G14', 'G140', 'G1400', 'G1401', 'G1402']);
  });

  it('ranks ten pages of matches for one character, a thousand for more, never fewer than the page', () => {
    expect(searchCap('m', 25)).toBe(250);
    expect(searchCap(' 5- ', 25)).toBe(250); // punctuation and spaces are not characters of the search
    expect(searchCap('É', 25)).toBe(250);
    expect(searchCap('mo', 25)).toBe(1000);
    expect(searchCap('m j', 25)).toBe(1000);
    expect(searchCap('m', 200)).toBe(1000); // never more than a longer search ranks
    expect(searchCap('m', 1000)).toBe(1000);
    expect(searchCap('maria', 1000)).toBe(1000);
  });
});

describe('the search index at rest', () => {
  /** Every file under `root` whose bytes contain `needle` (UTF-8). */
  const filesWith = (root: string, needle: string) =>
    readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((name) => join(root, name))
      .filter((path) => statSync(path).isFile() && readFileSync(path).includes(Buffer.from(needle)));

  // The index holds names folded ("zqxmärker" -> "zqxmarker"): a form that exists ONLY in
  // the index, so finding it in a file would be the index leaking, not the patients table.
  const marker = `Zqxmärker${randomBytes(4).toString('hex')}`;
  const folded = marker.toLowerCase().replace('ä', 'a');

  it('lives only inside the encrypted file: the folded tokens appear in no file of the store folder', () => {
    const s = openFresh();
    for (let i = 0; i < 200; i++) s.patients.create(samplePatient({ familyName: `${marker}${i}`, mrn: `PHI-${i}` }));
    expect(s.listPatients({ search: folded, limit: 1000 })).toHaveLength(200);
    expect(filesWith(dir!.path, folded)).toEqual([]);
    s.close();
    store = undefined;
    expect(filesWith(dir!.path, folded)).toEqual([]);
  });

  it('would catch a leak: the same rows in a plain SQLite file show the folded tokens', () => {
    storeOptions();
    const db = new Database(join(dir!.path, 'plain.db'));
    migrate(db);
    db.prepare('INSERT INTO patients VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)').run(uuidv7(), 'Ada', marker, '1980-01-01', 'female', '555', 'M-1', '{}');
    db.close();
    expect(filesWith(dir!.path, folded)).toEqual([join(dir!.path, 'plain.db')]);
  });
});

describe('a store of the schema before the search index', () => {
  // The version a store has before the search index's step (later steps may follow it).
  const beforeSearch = MIGRATIONS.indexOf(SEARCH_TABLES_SQL);
  it('gets the index built from its existing rows when opened', () => {
    const options = storeOptions();
    const raw = new Database(join(dir!.path, 'old.db'));
    applyKey(raw, options.key);
    configure(raw);
    migrate(raw, { target: beforeSearch });
    writeMeta(raw, META_TENANT_ID, options.tenantId);
    const insert = raw.prepare('INSERT INTO patients VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)');
    insert.run(uuidv7(), 'Élodie', 'Oldrow', '1970-03-04', 'female', '+33 1 23 45', 'OLD-1', '{}');
    insert.run(uuidv7(), 'Bert', 'Oldrow', '1971-05-06', 'male', '555 8888', 'OLD-2', '{}');
    expect(raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'patient_search'").get()).toEqual({ n: 0 });
    raw.close();
    store = OrgStore.open({ ...options, path: join(dir!.path, 'old.db') });
    expect(store.openReport.schema).toEqual({ from: beforeSearch, to: SCHEMA_VERSION });
    expect(found(store, 'oldrow')).toEqual(['Bert', 'Élodie']);
    expect(found(store, 'elodie')).toEqual(['Élodie']);
    expect(found(store, 'old-2')).toEqual(['Bert']);
    expect(found(store, '4/3/1970')).toEqual(['Élodie']);
    expect(found(store, '12345')).toEqual(['Élodie']);
    store.patients.create(samplePatient({ givenName: 'Cy', familyName: 'Oldrow' }));
    expect(found(store, 'oldrow')).toEqual(['Bert', 'Cy', 'Élodie']);
  });
});
