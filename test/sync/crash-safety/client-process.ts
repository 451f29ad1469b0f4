import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WORKLOAD = fileURLToPath(new URL('./client.workload.ts', import.meta.url));

export type CrashMode = 'pull' | 'push-request' | 'push-settle';

export interface CrashClientSettings {
  store: string;
  keyHex: string;
  tenantId: string;
  deviceId: string;
  serverUrl: string;
  token: string;
}

/** One life of the workload: started, watched line by line, killed with SIGKILL. */
export interface CrashClient {
  /** Resolves when the workload printed `line` (rejects if it exits first). */
  waitFor(line: string): Promise<void>;
  /** Every "made <id>" it printed. */
  made: string[];
  kill(): Promise<void>;
}

export function startCrashClient(settings: CrashClientSettings, mode: CrashMode, at: number): CrashClient {
  const child: ChildProcess = spawn(process.execPath, [WORKLOAD], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      CRASH_MODE: mode,
      CRASH_AT: String(at),
      CRASH_STORE: settings.store,
      CRASH_KEY: settings.keyHex,
      CRASH_TENANT: settings.tenantId,
      CRASH_DEVICE: settings.deviceId,
      CRASH_SERVER: settings.serverUrl,
      CRASH_TOKEN: settings.token,
    },
  });
  const made: string[] = [];
  const waiting = new Map<string, () => void>();
  let buffered = '';
  let stderr = '';
  let exited = false;
  const failures = new Set<(error: Error) => void>();
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.startsWith('made ')) made.push(line.slice(5));
      waiting.get(line)?.();
      waiting.delete(line);
    }
  });
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      for (const fail of failures) fail(new Error(`the crash workload exited on its own\n${stderr.slice(-2000)}`));
      resolve();
    }),
  );
  return {
    made,
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        if (exited) return reject(new Error(`the crash workload had exited\n${stderr.slice(-2000)}`));
        waiting.set(line, resolve);
        failures.add(reject);
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exit;
    },
  };
}
