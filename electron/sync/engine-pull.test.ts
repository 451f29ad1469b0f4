import { describe, expect, it, vi } from 'vitest';
import { SYNCED_DOMAINS, type SyncedDomain } from '../../shared/domains.ts';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Change, PullInput, PullPage } from '../../shared/sync/pull.ts';
import { PROTOCOL_VERSION } from '../../shared/sync/version.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { startFakeSyncServer } from '../test-support/fake-sync-server.ts';
import { engineTestKit } from '../test-support/engine-kit.ts';
import { SyncEngine } from './engine.ts';
import { createSyncTransport, type PokeHandlers, type SyncTransport } from './transport.ts';

/** How the engine pulls: pages asked ahead of the write (pipelined), and only the poked domains while pokes flow. */
const { cleanups, openStore } = engineTestKit();

const serverHlc = () => formatHlc({ ms: Date.now(), counter: 0, node: 'server' });

function page(tenantId: string, domain: SyncedDomain, changes: Change[], cursor: string, hasMore: boolean): PullPage {
  return { protocolVersion: PROTOCOL_VERSION, tenantId, domain, changes, cursor, hasMore, serverHlc: serverHlc() };
}

const patientChange = (seq: number): Change => ({ seq: String(seq), entity: 'patient', id: uuidv7(), op: 'upsert', fields: samplePatient({ mrn: `P-${seq}` }), fieldHlc: {}, version: 1 });

describe('SyncEngine pull', () => {
  it('asks for the next page before writing this one, yet only ever stores a cursor with its page: a bad page mid-way leaves the last good one', async () => {
    const store = openStore();
    const pages = [1, 2, 3, 4].map((n) => [patientChange(2 * n - 1), patientChange(2 * n)]);
    let poisoned = true;
    const asked: string[] = [];
    const server = await startFakeSyncServer({
      pull: ({ domain, cursor }) => {
        if (domain !== 'master_data') return page(store.tenantId, domain as SyncedDomain, [], cursor, false);
        asked.push(cursor);
        const index = Number(cursor) / 2;
        const changes = pages[index]!;
        // The third page belongs to another org until the server is "fixed": refused whole.
        return page(index === 2 && poisoned ? uuidv7() : store.tenantId, 'master_data', changes, changes.at(-1)!.seq, index < pages.length - 1);
      },
    });
    cleanups.push(() => server.close());
    const http = createSyncTransport(server.url, { tenantId: store.tenantId, token: 'test-token' });
    cleanups.push(() => http.close());
    // Where the store's cursor stood when each page was asked for (on the desk's side).
    const storeAt: string[] = [];
    const transport: SyncTransport = {
      ...http,
      pull: (input, signal) => {
        if (input.domain === 'master_data') storeAt.push(store.cursor('master_data'));
        return http.pull(input, signal);
      },
    };
    const engine = new SyncEngine({ store, transport, deviceId: uuidv7(), pullPageSize: 2 });

    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'STORE_MISMATCH' });
    expect(asked).toEqual(['0', '2', '4']);
    expect(storeAt).toEqual(['0', '0', '2']); // page 2 was asked for before page 1 was written, page 3 before page 2
    expect(store.cursor('master_data')).toBe('4');
    expect(store.listPatients().map((p) => p.mrn).sort()).toEqual(['P-1', 'P-2', 'P-3', 'P-4']);

    poisoned = false;
    asked.length = 0;
    storeAt.length = 0;
    await engine.syncNow();
    expect(asked).toEqual(['4', '6']); // resumed exactly where the store was
    expect(storeAt).toEqual(['4', '4']);
    expect(store.cursor('master_data')).toBe('8');
    expect(store.listPatients()).toHaveLength(8);
  });

  it('while pokes flow, pulls only the poked domain; a poke for another org pulls nothing', async () => {
    const store = openStore();
    const pulled: SyncedDomain[] = [];
    let handlers: PokeHandlers | undefined;
    const transport: SyncTransport = {
      push: () => Promise.reject(new Error('nothing to push')),
      pull: (input: PullInput) => {
        pulled.push(input.domain);
        return Promise.resolve(page(store.tenantId, input.domain, [], input.cursor, false));
      },
      signOut: () => Promise.resolve(),
      uploadBreakGlass: () => Promise.resolve({ stored: 0 }),
      subscribePokes: (given) => {
        handlers = given;
        queueMicrotask(() => given.onStarted?.());
        return () => undefined;
      },
      close: () => Promise.resolve(),
    };
    const foreign = vi.fn();
    const engine = new SyncEngine({ store, transport, deviceId: uuidv7(), pollIntervalMs: 60_000, onForeignOrg: foreign });
    engine.start();
    cleanups.push(() => engine.stop());
    // The first cycle, then the one the subscription's start asks for: both pull everything.
    await vi.waitFor(() => expect(pulled.length).toBeGreaterThanOrEqual(2 * SYNCED_DOMAINS.length), { timeout: 10_000 });
    await vi.waitFor(() => expect(engine.status().state).toBe('idle'));
    const settled = pulled.length;
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(pulled.length).toBe(settled);

    pulled.length = 0;
    handlers!.onPoke({ tenantId: store.tenantId, domain: 'scheduling' });
    await vi.waitFor(() => expect(pulled).toEqual(['scheduling']), { timeout: 10_000 });
    await vi.waitFor(() => expect(engine.status().state).toBe('idle'));

    pulled.length = 0;
    handlers!.onPoke({ tenantId: uuidv7(), domain: 'master_data' });
    expect(foreign).toHaveBeenCalledWith('poke');
    handlers!.onPoke({ tenantId: store.tenantId, domain: 'master_data' });
    await vi.waitFor(() => expect(pulled).toEqual(['master_data']), { timeout: 10_000 });
  });
});
