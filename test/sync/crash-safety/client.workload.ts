/**
 * The workstation process that crash-safety.int.test.ts kills with SIGKILL. It opens the
 * store and syncs with the real engine, forever; when it reaches the phase under test it
 * says so on stdout (a synchronous write on a pipe) and, to be sure the kill lands inside
 * that phase, holds still there (the SQLite transaction open) until the kill arrives.
 *
 *   mode pull: the K-th row inserted by a pulled page announces "in-apply" and waits
 *     (a TEMP trigger: it lives in this connection only, never in the store file).
 *   mode push-request: each push announces "push-sent" before the request goes out; the
 *     test kills at a random moment of the request, the server's work or the answer.
 *   mode push-settle: the K-th outbox entry settled by an answer announces "in-settle" and waits.
 * Every local edit is announced ("made <mutation id>") after it commits. Settings come in
 * CRASH_* environment variables (throwaway test key and session).
 */
import { writeSync } from 'node:fs';
import { OrgStore } from '../../../electron/store/org-store.ts';
import { pendingBatch } from '../../../electron/store/outbox.ts';
import { SyncEngine } from '../../../electron/sync/engine.ts';
import { createSyncTransport, type SyncTransport } from '../../../electron/sync/transport.ts';

const env = (name: string): string => process.env[name] ?? '';
const mode = env('CRASH_MODE');
const pauseAt = Number(env('CRASH_AT'));
const say = (line: string) => writeSync(1, `${line}\n`);
const holdStill = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);

const store = OrgStore.open({ path: env('CRASH_STORE'), key: Buffer.from(env('CRASH_KEY'), 'hex'), tenantId: env('CRASH_TENANT'), deviceId: env('CRASH_DEVICE') });
let counted = 0;
store.db.function('crash_point', () => {
  counted += 1;
  if (counted === pauseAt) {
    say(mode === 'pull' ? 'in-apply' : 'in-settle');
    holdStill();
  }
  return 0;
});
if (mode === 'pull') store.db.exec('CREATE TEMP TRIGGER crash_pull AFTER INSERT ON main.patients BEGIN SELECT crash_point(); END');
if (mode === 'push-settle') store.db.exec('CREATE TEMP TRIGGER crash_settle AFTER DELETE ON main.outbox BEGIN SELECT crash_point(); END');

const real = createSyncTransport(env('CRASH_SERVER'), { tenantId: env('CRASH_TENANT'), token: env('CRASH_TOKEN') });
const transport: SyncTransport = {
  ...real,
  push: (input, signal) => {
    say('push-sent');
    return real.push(input, signal);
  },
};
const engine = new SyncEngine({ store, transport, deviceId: env('CRASH_DEVICE'), pullPageSize: 40 });
say('ready');

for (let round = 0; ; round++) {
  if (mode === 'pull') {
    // Start the download over (as a fresh workstation would), so every life has pages to apply.
    store.db.transaction(() => store.db.exec('DELETE FROM appointments; DELETE FROM patients; DELETE FROM sync_cursors;'))();
  } else {
    for (let i = 0; i < 30; i++) {
      store.patients.create({ givenName: 'Crash', familyName: `Pushed${String.fromCharCode(97 + (i % 26))}`, birthDate: '1980-01-01', sex: 'unknown', phone: '', mrn: `CR-${round}-${i}` });
      say(`made ${pendingBatch(store.db, 1_000_000).at(-1)!.mutationId}`);
    }
  }
  await engine.syncNow().catch((error: unknown) => say(`sync-failed ${(error as { code?: string }).code ?? ''}`));
}
