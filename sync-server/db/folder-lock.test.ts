import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDataFolder } from './folder-lock.ts';

describe('PGlite data folder lock', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second holder with a sentence naming the folder and the process, and frees on release', () => {
    const dir = fresh();
    const lock = lockDataFolder(dir);
    expect(() => lockDataFolder(dir)).toThrow(new RegExp(`in use by process ${process.pid}`));
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataFolder(dir).release();
  });

  it('takes over a lock whose process is gone', async () => {
    const dir = fresh();
    const child = spawn(process.execPath, ['-e', '0']);
    const pid = child.pid;
    await new Promise((resolve) => child.on('exit', resolve));
    writeFileSync(join(dir, LOCK_FILE), String(pid));
    lockDataFolder(dir).release();
  });

  it('refuses while another live process holds it', async () => {
    const dir = fresh();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      writeFileSync(join(dir, LOCK_FILE), String(child.pid));
      expect(() => lockDataFolder(dir)).toThrow(/in use by process/);
    } finally {
      child.kill();
    }
  });
});
