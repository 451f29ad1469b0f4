import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { uuidv7 } from '../../shared/ids.ts';
import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { createFileKeystore } from '../../electron/keystore/file-keystore.ts';
import { ENTITY_TABLES } from '../../electron/store/entity-tables.ts';
import { OrgStore } from '../../electron/store/org-store.ts';
import { createSyncTransport, signInToServer } from '../../electron/sync/transport.ts';
import { DEFAULT_PULL_PAGE_SIZE } from '../../electron/sync/engine.ts';
import { createWorkstation, type Workstation } from '../../electron/workstation.ts';
import type { DeskCommand, DeskReply, SignInArgs } from './desk-protocol.ts';

/**
 * One workstation of the sync bench, in its own process (as on a real desk), driven by
 * the bench over IPC: so its memory is its own (peak RSS of the client alone) and it has
 * its own event loop (its latency is not the server's). Run by desk-handle.ts only.
 */

let workstation: Workstation | undefined;
const watches = new Map<string, Promise<number>>();

/** Wall-clock milliseconds, comparable between the bench's processes on one machine. */
const wallMs = () => performance.timeOrigin + performance.now();

function desk(): Workstation {
  if (!workstation) throw new Error('desk: not signed in');
  return workstation;
}

/** Rows per synced entity in the open store (keyed by entity name, as the generator reports). */
function rowCounts(): Record<string, number> {
  const db = desk().store().db;
  const counts: Record<string, number> = {};
  for (const [entity, spec] of Object.entries(ENTITY_TABLES)) counts[entity] = (db.prepare(`SELECT count(*) AS n FROM ${spec.table}`).get() as { n: number }).n;
  return counts;
}

async function signIn(args: SignInArgs): Promise<void> {
  const keystore = createFileKeystore({ dir: join(args.dataDir, 'keys'), passphrase: 'bench-keystore-passphrase', log: () => {} });
  workstation = createWorkstation({ dataDir: args.dataDir, serverUrl: args.serverUrl, keystore, deviceName: args.name, log: () => {} });
  await workstation.caller.session.signIn({ org: args.org, username: args.username, password: args.password });
}

/** Polls the store for the patient with this MRN (indexed) every millisecond; resolves with the wall time it appeared. */
function watchFor(mrn: string): Promise<number> {
  const db = desk().store().db;
  const find = db.prepare('SELECT 1 FROM patients WHERE mrn = ? COLLATE NOCASE');
  return new Promise((resolve, reject) => {
    const started = wallMs();
    const poll = () => {
      if (find.get(mrn)) return resolve(wallMs());
      if (wallMs() - started > 30_000) return reject(new Error('desk: the watched change did not arrive within 30 s'));
      setTimeout(poll, 1);
    };
    poll();
  });
}

/**
 * The local ceiling: the pull pages of the whole org (same page size as the engine) applied
 * to a fresh encrypted store with no network. Only the applies are timed; each page is
 * fetched (untimed) just before, so memory stays at one page.
 */
async function insertLimit(args: SignInArgs): Promise<{ seconds: number; rows: number }> {
  const deviceId = uuidv7();
  const session = await signInToServer(args.serverUrl, { protocolVersion: PROTOCOL_VERSION, org: args.org, username: args.username, password: args.password, deviceId, deviceName: args.name });
  const transport = createSyncTransport(args.serverUrl, { tenantId: session.tenantId, token: session.token });
  const store = OrgStore.open({ path: join(args.dataDir, `${session.tenantId}.db`), key: randomBytes(32), tenantId: session.tenantId, deviceId });
  let applying = 0;
  let rows = 0;
  try {
    for (const domain of SYNCED_DOMAINS) {
      let cursor = '0';
      for (;;) {
        const page = await transport.pull({ protocolVersion: PROTOCOL_VERSION, domain, cursor, limit: DEFAULT_PULL_PAGE_SIZE });
        const start = performance.now();
        store.applyPage(page);
        applying += performance.now() - start;
        rows += page.changes.length;
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
    }
  } finally {
    store.close();
    await transport.close();
  }
  return { seconds: applying / 1000, rows };
}

async function handle(command: DeskCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'bootstrap': {
      // Sign-in (server password check, keystore key derivation, store create) ends with the
      // engine started; the download is timed from there to syncNow() done, sign-in apart.
      const start = performance.now();
      await signIn(command.args);
      const signedIn = performance.now();
      await desk().syncNow();
      const done = performance.now();
      const { heapTotal, external, arrayBuffers } = process.memoryUsage();
      return { seconds: (done - signedIn) / 1000, signInSeconds: (signedIn - start) / 1000, counts: rowCounts(), heapMb: heapTotal / 1e6, externalMb: (external + arrayBuffers) / 1e6 };
    }
    case 'syncNow': {
      const start = performance.now();
      await desk().syncNow();
      return { seconds: (performance.now() - start) / 1000 };
    }
    case 'create': {
      const at = wallMs();
      const { id } = await desk().caller.patients.create({ givenName: 'Prop', familyName: 'Agate', birthDate: '1985-06-15', sex: 'unknown', phone: '', mrn: command.mrn });
      return { id, at };
    }
    case 'watch':
      watches.set(command.mrn, watchFor(command.mrn));
      return null;
    case 'seen': {
      const seen = watches.get(command.mrn);
      watches.delete(command.mrn);
      if (!seen) throw new Error('desk: that change was not being watched');
      return { at: await seen };
    }
    case 'offlineBurst': {
      // Straight through the store's repository, in one transaction: the burst is set-up,
      // not what is measured, and each create still queues its own outbox mutation.
      const store = desk().store();
      store.db.transaction(() => {
        for (let i = 0; i < command.count; i++) {
          store.patients.create({ givenName: 'Offline', familyName: `Burst${i % 97}`, birthDate: '1990-01-01', sex: 'unknown', phone: '', mrn: `OB-${command.tag}-${i}` });
        }
      })();
      return { pending: store.pendingCount() };
    }
    case 'replay': {
      // Until every queued mutation is acknowledged (outbox empty), polled every ms while
      // syncNow() pushes; the pull that follows in the same cycle is not part of it.
      const store = desk().store();
      // Acknowledged rows leave the outbox in seq order, so this finds a pending one at once.
      const anyPending = store.db.prepare(`SELECT 1 FROM outbox WHERE status = 'pending' LIMIT 1`);
      const start = performance.now();
      let acknowledged: number | undefined;
      const timer = setInterval(() => {
        if (acknowledged === undefined && !anyPending.get()) acknowledged = performance.now();
      }, 1);
      try {
        await desk().syncNow();
      } finally {
        clearInterval(timer);
      }
      const pending = store.pendingCount();
      if (pending === 0) acknowledged ??= performance.now();
      return { seconds: acknowledged === undefined ? null : (acknowledged - start) / 1000, syncNowSeconds: (performance.now() - start) / 1000, pending };
    }
    case 'counts':
      return rowCounts();
    case 'insertLimit':
      return insertLimit(command.args);
    case 'close':
      await workstation?.close();
      workstation = undefined;
      return null;
  }
}

process.on('message', (message: { id: number; command: DeskCommand }) => {
  handle(message.command).then(
    (value) => process.send?.({ id: message.id, ok: true, value } satisfies DeskReply),
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) } satisfies DeskReply),
  );
});
process.send?.({ id: 0, ok: true, value: 'ready' } satisfies DeskReply);
// The bench disconnects after `close` has answered; nothing else keeps this desk alive.
process.on('disconnect', () => process.exit(0));
