import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCError } from '@trpc/server';
import { AppError } from '../../../shared/errors.ts';
import { createFileKeystore } from '../../keystore/file-keystore.ts';
import { describeError } from '../../local-api/errors.ts';
import { createWorkstation, type Workstation } from '../../workstation.ts';
import { createTestClock, type TestClock } from './test-clock.ts';

/** Nothing listens on the discard port: a workstation pointed here finds the server unreachable. */
export const UNREACHABLE_URL = 'http://127.0.0.1:9';

/**
 * One desk: a data folder and keystore that outlive the workstation processes opened on
 * them (as an app restart would), and the desk's injected clock for the people rules.
 */
export interface Desk {
  name: string;
  dataDir: string;
  clock: TestClock;
  /** A workstation on this desk's data, talking to `serverUrl`. */
  open(serverUrl: string): Workstation;
}

export function createDesks() {
  const dirs: string[] = [];
  const opened: Workstation[] = [];
  return {
    desk(name: string): Desk {
      const dataDir = mkdtempSync(join(tmpdir(), `clinicsync-people-${name}-`));
      dirs.push(dataDir);
      const keystore = createFileKeystore({ dir: join(dataDir, 'keys'), passphrase: 'people-test-passphrase', log: () => {} });
      const clock = createTestClock();
      return {
        name,
        dataDir,
        clock,
        open(serverUrl) {
          const workstation = createWorkstation({
            dataDir,
            serverUrl,
            keystore,
            deviceName: name,
            clock,
            reconnectBackoff: { baseMs: 150, maxMs: 600 },
            breakGlassUploadCheckMs: 200,
          });
          opened.push(workstation);
          return workstation;
        },
      };
    },
    async cleanup(): Promise<void> {
      for (const workstation of opened) await workstation.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the person at the desk would see for a failed local API call: the code and the sentence. */
export async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string; fieldErrors?: Record<string, string> }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return describeError(error);
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the call to be refused');
}
