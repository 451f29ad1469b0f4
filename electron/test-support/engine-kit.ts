import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { OrgStore } from '../store/org-store.ts';
import type { SyncTransport } from '../sync/transport.ts';
import { tempDir } from './temp-dir.ts';

/**
 * What the engine's unit tests share: a fresh encrypted store of a random org per call, and
 * a list of clean-ups run (newest first) after each test, stores and folders included.
 */
export function engineTestKit() {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });
  return {
    cleanups,
    openStore(): OrgStore {
      const dir = tempDir();
      const store = OrgStore.open({ path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
      cleanups.push(() => dir.remove(), () => store.close());
      return store;
    },
  };
}

/**
 * A transport scripted in-process: every pull answers "nothing new" for the store's org
 * (counted in `pulls`), pushes are not expected; override what a test exercises.
 */
export function quietTransport(store: OrgStore, overrides: Partial<SyncTransport> = {}): SyncTransport & { pulls: number } {
  const transport = {
    pulls: 0,
    push: () => Promise.reject(new Error('not used')),
    pull: async ({ domain, cursor }) => {
      transport.pulls += 1;
      return { protocolVersion: 1, tenantId: store.tenantId, domain, changes: [], cursor, hasMore: false, serverHlc: formatHlc({ ms: 1, counter: 0, node: 's' }) };
    },
    signOut: async () => undefined,
    uploadBreakGlass: async () => ({ stored: 0 }),
    subscribePokes: () => () => undefined,
    close: async () => undefined,
    ...overrides,
  } satisfies SyncTransport & { pulls: number };
  return transport;
}
