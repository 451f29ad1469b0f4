import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LOAD_CLIENT_NICENESS, startLoadClient } from '../bench/load/client-handle.ts';

describe('load client processes', () => {
  it('run at the lowest CPU priority, below the bench (and so below the server and PostgreSQL)', async () => {
    const client = startLoadClient('priority-check');
    try {
      expect(client.pid).toBeDefined();
      expect(LOAD_CLIENT_NICENESS).toBe(19);
      expect(getPriority(client.pid!)).toBe(LOAD_CLIENT_NICENESS);
      expect(getPriority()).toBeLessThan(LOAD_CLIENT_NICENESS);
    } finally {
      await client.stop();
    }
  });
});
