import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { createWorkstation, type Workstation } from '../../electron/workstation.ts';
import type { SyncServerHandle } from '../../sync-server/server.ts';

/** A workstation in its own temporary data folder, signed in as a demo user of `orgCode`. */
export interface TestWorkstation {
  name: string;
  dataDir: string;
  workstation: Workstation;
  keystore: ReturnType<typeof createFileKeystore>;
  close(): Promise<void>;
}

export const TEST_PASSPHRASE = 'test-keystore-passphrase';

export async function openWorkstation(
  server: Pick<SyncServerHandle, 'url' | 'demo'>,
  name: string,
  orgCode: string,
  username = 'frontdesk',
): Promise<TestWorkstation> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `clinicsync-${name}-`));
  const keystore = createFileKeystore({ dir: path.join(dataDir, 'keys'), passphrase: TEST_PASSPHRASE, log: () => {} });
  const workstation = await createWorkstation({ dataDir, serverUrl: server.url, keystore, deviceName: name });
  const org = server.demo?.orgs.find((candidate) => candidate.code === orgCode);
  const user = org?.users.find((candidate) => candidate.username === username);
  if (!org || !user) throw new Error(`demo org ${orgCode} has no user ${username}`);
  await workstation.caller.session.signIn({ org: orgCode, username, password: user.password });
  return {
    name,
    dataDir,
    workstation,
    keystore,
    async close() {
      await workstation.close();
    },
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * An afterAll's teardown: closes each workstation and deletes its data folder. Any may be
 * undefined (a beforeAll that failed part-way), and are skipped.
 */
export async function closeWorkstations(...workstations: (TestWorkstation | undefined)[]): Promise<void> {
  for (const ws of workstations) {
    await ws?.close();
    if (ws) removeDir(ws.dataDir);
  }
}

/** Every regular file below `dir` (store, -wal, -shm, keys, device file, ...). */
export function filesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesBelow(full));
    else out.push(full);
  }
  return out;
}

/** Files below `dir` whose raw bytes contain `marker` in UTF-8 or UTF-16LE. */
export function filesContaining(dir: string, marker: string): string[] {
  const needles = [Buffer.from(marker, 'utf8'), Buffer.from(marker, 'utf16le')];
  return filesBelow(dir).filter((file) => {
    const bytes = readFileSync(file);
    return needles.some((needle) => bytes.includes(needle));
  });
}
