import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { OrgStore } from '../store/org-store.ts';
import { tempDir } from './temp-dir.ts';

/**
 * For a test file whose tests each want a new, empty encrypted store of a random org:
 * returns the opener; every store it opened is closed and its folder removed after each test.
 */
export function freshStorePerTest(): () => OrgStore {
  const opened: { store: OrgStore; dir: ReturnType<typeof tempDir> }[] = [];
  afterEach(() => {
    for (const { store, dir } of opened.splice(0)) {
      if (store.db.open) store.close();
      dir.remove();
    }
  });
  return () => {
    const dir = tempDir();
    const store = OrgStore.open({ path: join(dir.path, 'stores', 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
    opened.push({ store, dir });
    return store;
  };
}
