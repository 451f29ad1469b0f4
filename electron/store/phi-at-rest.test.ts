import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support/temp-dir.ts';

const WORKLOAD = fileURLToPath(new URL('./phi-at-rest.workload.ts', import.meta.url));
const ROWS = 60_000;

let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  dir?.remove();
  dir = undefined;
});

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .map((name) => join(root, name))
    .filter((path) => statSync(path).isFile());
}

/** Files under the roots that contain the marker as UTF-8, UTF-16LE or UTF-16BE. */
function filesWithMarker(roots: string[], marker: string): string[] {
  const le = Buffer.from(marker, 'utf16le');
  const needles = [Buffer.from(marker, 'utf8'), le, Buffer.from(le).swap16()];
  return roots.flatMap(filesUnder).filter((path) => {
    const bytes = readFileSync(path);
    return needles.some((needle) => bytes.includes(needle));
  });
}

/**
 * Runs the workload in a child whose TMPDIR and SQLITE_TMPDIR are `tmp`, watches `tmp`
 * for any file SQLite creates (SQLite unlinks its temp files at once, so only a watch
 * sees them), scans while the store is open (store, -wal, -shm exist), then again after close.
 */
async function runWorkload(mode: 'encrypted' | 'plain') {
  dir = tempDir('clinicsync-phi-');
  const data = join(dir.path, 'data');
  const tmp = join(dir.path, 'tmp');
  mkdirSync(data);
  mkdirSync(tmp);
  const store = join(data, 'stores', 'org.db');
  const marker = `Zqxmarker${randomBytes(6).toString('hex')}`;
  const tempFilesSeen: string[] = [];
  const watcher = watch(tmp, (_event, name) => tempFilesSeen.push(String(name)));
  const child = spawn(process.execPath, [WORKLOAD, mode, store, marker, String(ROWS)], {
    env: { ...process.env, TMPDIR: tmp, SQLITE_TMPDIR: tmp, TMP: tmp, TEMP: tmp },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`workload exited early (${code})`)));
  });
  const sideFiles = { wal: statSync(`${store}-wal`).size, shm: statSync(`${store}-shm`).size };
  const whileOpen = filesWithMarker([data, tmp], marker).map((path) => path.slice(dir!.path.length));
  child.stdin.write('close\n');
  expect(await exited).toBe(0);
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the last watch events arrive
  watcher.close();
  const afterClose = filesWithMarker([data, tmp], marker).map((path) => path.slice(dir!.path.length));
  return { sideFiles, whileOpen, afterClose, tempFilesSeen };
}

describe('PHI at rest', () => {
  it('leaves no trace of a PHI marker in the store, -wal, -shm, data folder or temp folder after big sorts, VACUUM and a checkpoint', async () => {
    const result = await runWorkload('encrypted');
    expect(result.sideFiles.wal).toBeGreaterThan(0); // the scan really read a live WAL
    expect(result.sideFiles.shm).toBeGreaterThan(0);
    expect(result.whileOpen).toEqual([]);
    expect(result.afterClose).toEqual([]);
    // temp_store = MEMORY: sorts, the temp table and VACUUM never created a file at all.
    expect(result.tempFilesSeen).toEqual([]);
  });

  it('would catch the marker: the same workload on a plain SQLite file shows it in the store, the WAL and temp files', async () => {
    const result = await runWorkload('plain');
    expect(result.whileOpen).toEqual(expect.arrayContaining(['/data/stores/org.db', '/data/stores/org.db-wal']));
    expect(result.afterClose).toEqual(['/data/stores/org.db']);
    expect(result.tempFilesSeen.length).toBeGreaterThan(0); // spills went to the test's TMPDIR
  });
});
