import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../shared/errors.ts';

export const LOCK_FILE = 'clinicsync.lock';

/**
 * PGlite has no lock of its own: two processes on one folder (say `npm start` and an
 * admin command) would both write it and corrupt it. The first process to open a folder
 * writes its pid into a lock file created exclusively; a second gets a clear error. A
 * lock left by a process that no longer exists (a crash, kill -9) is taken over.
 */
export function lockDataFolder(dir: string): { release(): void } {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new AppError('CONFLICT', `The database folder ${dir} is in use by process ${holder}. Stop that server (or command) first; one process at a time.`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`Could not lock the database folder ${dir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}
