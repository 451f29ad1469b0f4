import { SYNCED_DOMAINS } from '../../../shared/domains.ts';
import { SET_TENANT_SQL } from '../../../sync-server/db/tenant-setting.ts';
import type { Sql } from '../../../sync-server/db/sql.ts';
import type { LoadDeployment } from './provision.ts';
import { percentile } from './stats.ts';

/**
 * What row-level security costs the pull path: the feed queries a pull runs
 * (SyncDomainService.readChanges, as sync/pull.ts calls it: a bootstrap page from cursor 0
 * and an incremental page near the head), run as the app role under forced RLS
 * (DomainDb.withTenant) and, side by side in the same run, as the admin owner, to whom RLS
 * does not apply (PhysicalDatabases.inspect), in the same transaction shape (BEGIN,
 * set_config, query, COMMIT). The two alternate (ABBA) so drift on the shared machine
 * hits both alike. Ratio: the sum over query shapes of the median with RLS over the same without.
 */
export interface RlsOverhead {
  ratio: number;
  withRlsMs: number;
  withoutRlsMs: number;
  queries: number;
}

const PAGE = 1000;

export async function measureRlsOverhead(deployment: LoadDeployment, tenantIds: readonly string[], rounds: number): Promise<RlsOverhead> {
  const { databases, services } = deployment.core;
  type Shape = { tenantId: string; domain: (typeof SYNCED_DOMAINS)[number]; cursor: string };
  const shapes: Shape[] = [];
  for (const tenantId of tenantIds) {
    for (const domain of SYNCED_DOMAINS) {
      const service = services.syncDomains[domain];
      const page = await databases.domains[domain].withTenant(tenantId, (sql) => service.readChanges(sql, tenantId, '0', PAGE + 1));
      shapes.push({ tenantId, domain, cursor: '0' });
      // The common pull: a poked device fetching the last few changes.
      const nearHead = page.at(-6)?.seq;
      if (nearHead) shapes.push({ tenantId, domain, cursor: nearHead });
    }
  }
  const read = (shape: Shape) => (sql: Sql) => services.syncDomains[shape.domain].readChanges(sql, shape.tenantId, shape.cursor, PAGE + 1);
  const withRls = (shape: Shape) => databases.domains[shape.domain].withTenant(shape.tenantId, read(shape));
  const withoutRls = (shape: Shape) =>
    databases.inspect(shape.domain, async (sql) => {
      await sql.query(SET_TENANT_SQL, [shape.tenantId]);
      return read(shape)(sql);
    });
  const times = shapes.map(() => ({ rls: [] as number[], admin: [] as number[] }));
  const timed = async (run: () => Promise<unknown>, into: number[]) => {
    const started = performance.now();
    const rows = await run();
    into.push(performance.now() - started);
    return rows;
  };
  for (let round = -1; round < rounds; round++) {
    for (const [i, shape] of shapes.entries()) {
      const t = times[i]!;
      // Round -1 warms both paths (connections, plans, buffers) and is not counted.
      const rls = round < 0 ? [] : t.rls;
      const admin = round < 0 ? [] : t.admin;
      const first = round % 2 === 0;
      const a = await timed(() => (first ? withRls(shape) : withoutRls(shape)), first ? rls : admin);
      const b = await timed(() => (first ? withoutRls(shape) : withRls(shape)), first ? admin : rls);
      // The same rows either way, or the comparison means nothing.
      if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`rls overhead: the ${shape.domain} feed read differs with and without RLS`);
    }
  }
  const median = (values: number[]) => percentile([...values].sort((x, y) => x - y), 0.5);
  const withRlsMs = times.reduce((s, t) => s + median(t.rls), 0);
  const withoutRlsMs = times.reduce((s, t) => s + median(t.admin), 0);
  return { ratio: withRlsMs / withoutRlsMs, withRlsMs, withoutRlsMs, queries: shapes.length * rounds * 2 };
}
