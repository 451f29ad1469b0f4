import { randomBytes } from 'node:crypto';
import { startSyncServer } from '../../sync-server/server.ts';
import { loadDeskClinic, samplePatients, type DeskClinicSize, type LoadedDeskClinic, type SamplePatient } from './desk-speed-clinic.ts';

/**
 * The desk speed bench's sync server, in a process of its own (forked by desk-speed-server-handle.ts):
 * on a real desk the server is in the cloud, so its work (the clinic load, the initial sync's
 * pulls, later pokes and checksums) must not share the desk's event loop and skew the
 * desk's figures. It loads the clinic, answers with what the bench needs, and runs until
 * told to stop (or its parent goes away).
 */
export interface DeskServerStart {
  size: DeskClinicSize;
  sampleCount: number;
  org: string;
  username: string;
  seed: string;
}

export type DeskServerMessage =
  | { kind: 'ready'; url: string; password: string; loaded: LoadedDeskClinic; samples: SamplePatient[]; loadSeconds: number }
  | { kind: 'failed'; error: string };

async function serve(start: DeskServerStart): Promise<void> {
  const server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: false });
  const stop = async () => {
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('disconnect', () => void stop());
  process.on('message', (message: unknown) => {
    if (message === 'stop') void stop();
  });
  // A throwaway bench credential, created here and gone with the in-memory database.
  const password = randomBytes(18).toString('base64url');
  const { tenantId } = await server.admin.createTenant({ code: start.org, name: 'Desk speed clinic' });
  await server.admin.createUser({ tenantId, username: start.username, password, displayName: 'Bench Front Desk', role: 'front_desk' });
  const loadStart = performance.now();
  const loaded = await loadDeskClinic(server, tenantId, start.size, start.seed);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const samples = await samplePatients(server, tenantId, start.sampleCount);
  process.send!({ kind: 'ready', url: server.url, password, loaded, samples, loadSeconds } satisfies DeskServerMessage);
}

process.once('message', (start: DeskServerStart) => {
  serve(start).catch((error: unknown) => {
    process.send!({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies DeskServerMessage, () => process.exit(1));
  });
});
