import { describe, expect, it } from 'vitest';
import { SYNC_PROCEDURES } from '../../shared/sync/procedures.ts';
import { syncServerRouter } from './router.ts';

describe('sync server router', () => {
  it('serves exactly the procedure paths of SYNC_PROCEDURES', () => {
    expect(Object.keys(syncServerRouter._def.procedures).sort()).toEqual(Object.values(SYNC_PROCEDURES).sort());
  });
});
