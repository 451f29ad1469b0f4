import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { OrgStore } from '../store/org-store.ts';
import { createSyncTransport } from '../sync/transport.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { pendingBreakGlass, recordBreakGlass } from './break-glass-log.ts';
import { uploadPendingBreakGlass } from './break-glass-upload.ts';
import { UNREACHABLE_URL } from './testing/people-desks.ts';

let dir: ReturnType<typeof tempDir>;
let store: OrgStore;
beforeEach(() => {
  dir = tempDir();
  store = OrgStore.open({ path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
});
afterEach(() => {
  store.close();
  dir.remove();
});

describe('break-glass upload (the successful upload runs against the real server in server-outage.int.test.ts)', () => {
  it('with nothing pending, sends nothing (no request at all)', async () => {
    const transport = createSyncTransport(UNREACHABLE_URL, { tenantId: store.tenantId, token: 'unused' });
    expect(await uploadPendingBreakGlass({ store, transport, deviceId: uuidv7(), now: Date.now })).toBe(0);
    await transport.close();
  });

  it('when the server cannot be reached, fails with OFFLINE and keeps every entry pending for later', async () => {
    const userId = uuidv7();
    for (let i = 0; i < 3; i++) recordBreakGlass(store, { userId, reason: `Emergency number ${i} at the desk`, startedAt: Date.now() + i, expiresAt: Date.now() + 60_000 });
    const transport = createSyncTransport(UNREACHABLE_URL, { tenantId: store.tenantId, token: 'unused' });
    await expect(uploadPendingBreakGlass({ store, transport, deviceId: uuidv7(), now: Date.now })).rejects.toMatchObject({ code: 'OFFLINE' });
    expect(pendingBreakGlass(store.db)).toHaveLength(3);
    await transport.close();
  });
});
