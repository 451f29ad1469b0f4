/**
 * Child process for phi-at-rest.test.ts (run with TMPDIR/SQLITE_TMPDIR pointed at a
 * test-owned folder, which SQLite reads once per process). Writes rows carrying a PHI
 * marker, forces large sorts with a tiny page cache, VACUUMs and checkpoints, then keeps
 * the store open (so -wal and -shm exist) until told on stdin to close.
 *   node phi-at-rest.workload.ts <encrypted|plain> <store path> <marker> <rows>
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Db } from './db.ts';
import { migrate } from './migrations.ts';
import { openStore } from './open-store.ts';

const [mode, path = '', marker = '', rowsArg = '0'] = process.argv.slice(2);
const rows = Number(rowsArg);

function openPlain(): Db {
  // The control: the same schema and workload without the cipher, and with SQLite's
  // file-backed temp store, so the test can see that its scans and watch would catch a leak.
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('temp_store = FILE');
  migrate(db);
  return db;
}

const db = mode === 'encrypted' ? openStore({ path, key: randomBytes(32), tenantId: '01900000-0000-7000-8000-000000000001' }) : openPlain();
const insert = db.prepare('INSERT INTO patients VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)');
db.transaction(() => {
  for (let i = 0; i < rows; i++) {
    const family = `${marker}${i}`;
    insert.run(`p${String(i).padStart(8, '0')}`, `Given${i % 97}`, family, '1980-02-29', 'female', `+1 555-${i}`, `MRN-${i}`, JSON.stringify({ familyName: family }));
  }
})();

// A tiny cache (16 pages) makes every sort below larger than memory, so SQLite must spill.
db.pragma('cache_size = 16');
db.prepare('SELECT * FROM patients ORDER BY phone || family_name DESC').all();
db.prepare('SELECT family_name, count(*) FROM patients GROUP BY substr(family_name, 3) ORDER BY 2, 1').all();
db.prepare('SELECT DISTINCT lower(family_name) FROM patients ORDER BY 1').all();
db.exec('CREATE TEMP TABLE shuffled AS SELECT * FROM patients ORDER BY random()');
db.exec('CREATE INDEX patients_phone_family ON patients (phone, family_name)'); // an index build sorts too
db.exec('VACUUM');
db.pragma('wal_checkpoint(PASSIVE)');
// Writes after the checkpoint, so the -wal file holds marker pages when the test scans it.
db.prepare("UPDATE patients SET given_name = given_name || ? WHERE id LIKE '%50'").run('x');
db.prepare('UPDATE patients SET family_name = family_name || ? WHERE id < ?').run('b', 'p00000500');

process.stdout.write('ready\n');
process.stdin.once('data', () => {
  db.close();
  process.exit(0);
});
