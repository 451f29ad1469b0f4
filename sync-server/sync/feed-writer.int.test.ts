import { describe, expect, it, vi } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../test/support/postgres.ts';
import type { EntityName } from '../../shared/entities/catalog.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { testEngines } from '../testing/engines.ts';
import { useFreshDatabases } from '../testing/fresh-databases.ts';
import { FeedWriter } from './feed-writer.ts';

const engines = testEngines(await requirePostgres('sync-server/sync/feed-writer (PostgreSQL)'), testPostgresUrl());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Seq order is commit order within an org (feed-writer.ts): a writer that has drawn its
 * seq holds the org's feed lock until it commits, so a second writer of the org waits in
 * its flush and draws the later seq. Were the lock missing (or taken after the seq), the
 * second would draw a higher seq and commit first, and a pull in between would page past
 * the first writer's change for good.
 */
for (const engine of engines) {
  describe.skipIf(!engine.available)(`feed writes of one org, concurrently (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);

    const seqOf = async (tenantId: string, entityId: string, domain: 'master_data' | 'scheduling' = 'master_data'): Promise<bigint> => {
      const rows = await dbs().domains[domain].withTenant(tenantId, (sql) =>
        sql.query<{ seq: string }>(`SELECT seq::text AS seq FROM ${domain}.changes WHERE tenant_id = $1 AND entity_id = $2`, [tenantId, entityId]),
      );
      expect(rows).toHaveLength(1);
      return BigInt(rows[0]!.seq);
    };

    it('a second writer waits for the first to commit, then draws the later seq', async () => {
      const tenantId = uuidv7();
      const [firstId, secondId] = [uuidv7(), uuidv7()];
      const write = (entityId: string, beforeCommit: () => Promise<void>) =>
        dbs().domains.master_data.withTenant(tenantId, async (sql) => {
          const feed = new FeedWriter('master_data', tenantId);
          feed.touch('patient', entityId);
          expect(await feed.flush(sql)).toEqual([tenantId]);
          await beforeCommit();
        });
      let flushed!: () => void;
      let commit!: () => void;
      const firstFlushed = new Promise<void>((resolve) => (flushed = resolve));
      const mayCommit = new Promise<void>((resolve) => (commit = resolve));
      let firstCommitted = false;
      const first = write(firstId, async () => {
        flushed();
        await mayCommit;
      }).then(() => (firstCommitted = true));
      await firstFlushed;
      let secondDone = false;
      const second = write(secondId, async () => undefined).then(() => {
        secondDone = true;
        return firstCommitted;
      });
      try {
        if (engine.name === 'postgres') {
          // The second either waits on the feed lock (as it must) or, were it missing, commits ahead of the first.
          await vi.waitFor(
            async () => {
              const waiting = await dbs().domains.master_data.system('test: is a feed writer waiting for its lock', (sql) =>
                sql.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"),
              );
              expect(secondDone || waiting.length > 0).toBe(true);
            },
            { timeout: 20_000, interval: 20 },
          );
        } else {
          await sleep(200); // one connection: the second transaction cannot start before the first ends
        }
        expect(secondDone).toBe(false);
      } finally {
        commit(); // also when an assertion failed, so the first transaction ends
      }
      await first;
      expect(await second).toBe(true); // the second finished after the first had committed
      expect(await seqOf(tenantId, secondId)).toBeGreaterThan(await seqOf(tenantId, firstId));
    });

    it('draws one seq per touched entity, several entities in one flush, and moves an entity touched again to the head', async () => {
      const tenantId = uuidv7();
      const [one, two, three] = [uuidv7(), uuidv7(), uuidv7()];
      const flush = (touches: [EntityName, string][]) =>
        dbs().domains.scheduling.withTenant(tenantId, (sql) => {
          const feed = new FeedWriter('scheduling', tenantId);
          for (const [entity, id] of touches) feed.touch(entity, id);
          return feed.flush(sql);
        });
      await flush([
        ['appointment', one],
        ['location', two],
        ['appointment', three],
      ]);
      const seqs = async () => Promise.all([one, two, three].map((id) => seqOf(tenantId, id, 'scheduling')));
      const before = await seqs();
      expect(new Set(before).size).toBe(3);
      expect(before[0]).toBeLessThan(before[2]!); // in touch order within an entity
      await flush([['appointment', one]]);
      const after = await seqs();
      expect(after[0]).toBeGreaterThan(before.reduce((a, b) => (a > b ? a : b)));
      expect(after.slice(1)).toEqual(before.slice(1));
    });
  });
}
