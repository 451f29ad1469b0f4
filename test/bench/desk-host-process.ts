import { join } from 'node:path';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { startBrowserHost } from '../../electron/host/browser-host.ts';
import { createWorkstation } from '../../electron/workstation.ts';
import { watchHost, type HostDiagnostics } from './desk-host-diagnostics.ts';
import type { Figure } from './report.ts';

/**
 * The desk speed bench's workstation host, in a process of its own (forked by
 * desk-host-handle.ts), as the Electron main process is on a real desk: its event loop
 * and heap hold the workstation and its loopback host only, not the bench's Playwright
 * client and bookkeeping, whose garbage would otherwise land in the desk's GC pauses.
 * Besides serving the page it answers the bench's few questions over IPC.
 */
export interface DeskHostStart {
  dataDir: string;
  serverUrl: string;
  rendererDir: string;
}

export type DeskHostRequest = { id: number; kind: 'syncNow' } | { id: number; kind: 'watch' } | { id: number; kind: 'unwatch'; prefix: string };

export type DeskHostMessage =
  | { kind: 'ready'; url: string }
  | { kind: 'failed'; error: string }
  | { kind: 'answer'; id: number; counts?: { patients: number; appointments: number }; figures?: Figure[]; error?: string };

async function serve(start: DeskHostStart): Promise<void> {
  const keystore = createFileKeystore({ dir: join(start.dataDir, 'keys'), passphrase: 'desk-bench-keystore-passphrase', log: () => undefined });
  const workstation = createWorkstation({ dataDir: start.dataDir, serverUrl: start.serverUrl, keystore, deviceName: 'desk-bench', log: () => undefined });
  const host = await startBrowserHost({ workstation, port: 0, rendererDir: start.rendererDir });
  const stop = async () => {
    await host.close().catch(() => undefined);
    await workstation.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('disconnect', () => void stop());
  let watching: HostDiagnostics | undefined;
  const answer = async (request: DeskHostRequest): Promise<DeskHostMessage> => {
    switch (request.kind) {
      case 'syncNow': {
        await workstation.syncNow();
        const db = workstation.store().db;
        const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
        return { kind: 'answer', id: request.id, counts: { patients: count('patients'), appointments: count('appointments') } };
      }
      case 'watch':
        watching = watchHost();
        return { kind: 'answer', id: request.id };
      case 'unwatch': {
        const figures = watching?.stop(request.prefix) ?? [];
        watching = undefined;
        return { kind: 'answer', id: request.id, figures };
      }
    }
  };
  process.on('message', (message: DeskHostRequest | 'stop') => {
    if (message === 'stop') return void stop();
    answer(message).then(
      (reply) => process.send!(reply),
      (error: unknown) => process.send!({ kind: 'answer', id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies DeskHostMessage),
    );
  });
  process.send!({ kind: 'ready', url: host.url } satisfies DeskHostMessage);
}

process.once('message', (start: DeskHostStart) => {
  serve(start).catch((error: unknown) => {
    process.send!({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies DeskHostMessage, () => process.exit(1));
  });
});
