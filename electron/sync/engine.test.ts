import { describe, expect, it, vi } from 'vitest';
import { SYNCED_DOMAINS } from '../../shared/domains.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { formatHlc } from '../../shared/hlc.ts';
import type { OrgStore } from '../store/org-store.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { startFakeSyncServer } from '../test-support/fake-sync-server.ts';
import { engineTestKit, quietTransport } from '../test-support/engine-kit.ts';
import { SyncEngine, type ForeignOrgMessage } from './engine.ts';
import type { PokeHandlers } from './transport.ts';
import { createSyncTransport } from './transport.ts';

const { cleanups, openStore } = engineTestKit();

function engineFor(store: OrgStore, url: string, onForeignOrg?: (what: ForeignOrgMessage) => void) {
  const transport = createSyncTransport(url, { tenantId: store.tenantId, token: 'test-token' });
  cleanups.push(() => transport.close());
  return new SyncEngine({ store, transport, deviceId: uuidv7(), backoff: { baseMs: 10, maxMs: 50 }, ...(onForeignOrg ? { onForeignOrg } : {}) });
}

describe('SyncEngine (against a scripted tRPC server over real HTTP)', () => {
  it('refuses a pulled page for another org: nothing applied, cursor kept, status shows the error', async () => {
    const store = openStore();
    const foreign = uuidv7();
    const server = await startFakeSyncServer({
      pull: ({ domain }) => ({
        protocolVersion: 1,
        tenantId: foreign,
        domain: domain as 'master_data',
        changes: [{ seq: '9', entity: 'patient', id: uuidv7(), op: 'upsert', fields: samplePatient(), fieldHlc: {}, version: 1 }],
        cursor: '9',
        hasMore: false,
        serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }),
      }),
    });
    cleanups.push(() => server.close());
    const engine = engineFor(store, server.url);
    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'STORE_MISMATCH' });
    expect(store.listPatients()).toEqual([]);
    expect(store.cursor('master_data')).toBe('0');
    expect(engine.status()).toMatchObject({ state: 'error', online: true, lastError: { code: 'STORE_MISMATCH' } });
  });

  it('pushes with tenant + bearer headers, drops acknowledged mutations and keeps rejected ones visible', async () => {
    const store = openStore();
    const a = store.patients.create(samplePatient());
    const b = store.patients.create(samplePatient({ mrn: 'MRN-2' }));
    const server = await startFakeSyncServer({
      push: (input) => ({
        protocolVersion: 1,
        tenantId: store.tenantId,
        serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }),
        results: input.mutations.map((m) =>
          m.id === b.id ? { mutationId: m.mutationId, status: 'rejected' as const, code: 'CONFLICT', reason: 'That MRN is already used.' } : { mutationId: m.mutationId, status: 'applied' as const },
        ),
      }),
      pull: ({ domain, cursor }) => ({ protocolVersion: 1, tenantId: store.tenantId, domain: domain as 'master_data', changes: [], cursor, hasMore: false, serverHlc: formatHlc({ ms: 1, counter: 0, node: 'server' }) }),
    });
    cleanups.push(() => server.close());
    const engine = engineFor(store, server.url);
    await engine.syncNow();
    expect(engine.status()).toMatchObject({ state: 'idle', online: true, pending: 0, lastError: null });
    expect(engine.status().lastSyncedAt).not.toBeNull();
    expect(store.rejected()).toEqual([{ mutationId: expect.any(String), entity: 'patient', entityId: b.id, code: 'CONFLICT', reason: 'That MRN is already used.' }]);
    expect(store.listPatients().find((p) => p.id === a.id)?.pending).toBe(false);
    const push = server.seen.find((s) => s.path === 'sync.push');
    expect(push?.headers['x-tenant-id']).toBe(store.tenantId);
    expect(push?.headers['authorization']).toBe('Bearer test-token');
  });

  it("refuses another org's push acknowledgement: the outbox keeps every entry and the refusal is reported", async () => {
    const store = openStore();
    store.patients.create(samplePatient());
    const reports: ForeignOrgMessage[] = [];
    const server = await startFakeSyncServer({
      push: (input) => ({
        protocolVersion: 1,
        tenantId: uuidv7(),
        serverHlc: formatHlc({ ms: Date.now(), counter: 0, node: 'server' }),
        results: input.mutations.map((m) => ({ mutationId: m.mutationId, status: 'applied' as const })),
      }),
      // The domain with the unsent edit is pulled before the push (conflicts meet the unsent edit).
      pull: ({ domain, cursor }) => ({ protocolVersion: 1, tenantId: store.tenantId, domain: domain as 'master_data', changes: [], cursor, hasMore: false, serverHlc: formatHlc({ ms: 1, counter: 0, node: 'server' }) }),
    });
    cleanups.push(() => server.close());
    const engine = engineFor(store, server.url, (what) => reports.push(what));
    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'STORE_MISMATCH' });
    expect(store.pendingCount()).toBe(1);
    expect(reports).toEqual(['push_ack']);
    const calls = server.seen.map((s) => s.path);
    expect(calls.slice(calls.indexOf('sync.push') + 1)).toEqual([]); // the cycle stopped there
  });

  it("ignores and reports a poke for another org, and is woken by its own org's poke", async () => {
    const store = openStore();
    let handlers: PokeHandlers | undefined;
    const transport = quietTransport(store, { subscribePokes: (h) => ((handlers = h), () => undefined) });
    const reports: ForeignOrgMessage[] = [];
    const engine = new SyncEngine({ store, transport, deviceId: uuidv7(), pollIntervalMs: 60_000, onForeignOrg: (what) => reports.push(what) });
    engine.start();
    cleanups.push(() => engine.stop());
    await vi.waitFor(() => expect(handlers).toBeDefined());
    const settled = transport.pulls;
    handlers!.onPoke({ tenantId: uuidv7(), domain: 'master_data' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(transport.pulls).toBe(settled);
    expect(reports).toEqual(['poke']);
    handlers!.onPoke({ tenantId: store.tenantId, domain: 'master_data' });
    await vi.waitFor(() => expect(transport.pulls).toBeGreaterThan(settled));
  });

  it('polls at the fallback rate while the poke subscription is down, and at the slow rate while it is live', async () => {
    const store = openStore();
    let live = false;
    let handlers: PokeHandlers | undefined;
    const transport = quietTransport(store, {
      // Down: the subscription ends at once (as when a proxy drops WebSockets). Live: it stays.
      subscribePokes: (h) => {
        handlers = h;
        if (!live) h.onEnded?.();
        return () => undefined;
      },
    });
    const engine = new SyncEngine({ store, transport, deviceId: uuidv7(), pollIntervalMs: 60_000, fallbackPollMs: 40 });
    engine.start();
    cleanups.push(() => engine.stop());
    const cycles = () => transport.pulls / SYNCED_DOMAINS.length;
    await vi.waitFor(() => expect(cycles()).toBeGreaterThanOrEqual(4), { timeout: 10_000 });
    live = true;
    await vi.waitFor(() => expect(handlers).toBeDefined());
    // The next cycle subscribes for good; after it, only pokes (or the 60 s poll) wake the loop.
    const before = cycles();
    await vi.waitFor(() => expect(cycles()).toBeGreaterThan(before), { timeout: 10_000 });
    const settled = transport.pulls;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(transport.pulls).toBe(settled);
  });

  it('goes offline when the server is unreachable, keeps local writes working, and recovers', async () => {
    const store = openStore();
    const server = await startFakeSyncServer({});
    const url = server.url;
    await server.close();
    const engine = engineFor(store, url);
    store.patients.create(samplePatient());
    await expect(engine.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(engine.status()).toMatchObject({ state: 'offline', online: false, pending: 1, lastError: { code: 'OFFLINE' } });
    store.patients.create(samplePatient({ mrn: 'MRN-3' }));
    expect(engine.status().pending).toBe(2);
  });

  it('runs as a loop until its signal aborts, backing off while offline', async () => {
    const store = openStore();
    const server = await startFakeSyncServer({});
    const url = server.url;
    await server.close();
    const engine = engineFor(store, url);
    engine.start();
    // The first attempt's connection refusal can take a while on a loaded CI machine.
    await vi.waitFor(() => expect(engine.status().state).toBe('offline'), { timeout: 10_000, interval: 20 });
    await engine.stop();
    expect(engine.status().state).not.toBe('syncing');
  });
});
