import { beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import type { AuditEntry } from '../../audit/audit-trail.ts';
import { testEngines } from '../../testing/engines.ts';
import { useFreshDatabases } from '../../testing/fresh-databases.ts';
import { AuditEvents } from './audit-events.ts';

const engines = testEngines(await requirePostgres('sync-server/domains/audit cross-org appends (PostgreSQL)'), testPostgresUrl());

function entry(tenantId: string, i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { tenantId, actor: null, action: 'sync.push', kind: 'mutation', entity: 'patient', ids: [uuidv7()], outcome: 'ok', errorCode: null, detail: { i }, occurredAt: new Date(), ...overrides };
}

const WHOLE = (entries: number) => ({ ok: true, entries, problems: [], truncated: false });

for (const engine of engines) {
  describe.skipIf(!engine.available)(`audit: several orgs' appends in one statement (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    let audit: AuditEvents;

    /** Orgs with one entry each, so this process knows their heads (the appends that batch across orgs). */
    async function orgsWithHeads(n: number): Promise<string[]> {
      const orgs = Array.from({ length: n }, () => uuidv7());
      for (const org of orgs) await audit.record(entry(org, 0));
      return orgs;
    }

    /** How many transactions wrote these orgs' entries after seq 1 (rows one transaction wrote share its xmin). */
    const transactionsAfterFirst = (orgs: readonly string[]) =>
      dbs().inspect('audit', async (sql) => {
        const [row] = await sql.query<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM audit.events WHERE tenant_id = ANY($1::uuid[]) AND seq > 1', [orgs]);
        return row!.n;
      });

    beforeAll(() => {
      audit = new AuditEvents(dbs().domains.audit);
    });

    it('appends of 30 orgs arriving together go in two statements (the first alone), every chain whole', async () => {
      const orgs = await orgsWithHeads(30);
      await Promise.all(orgs.map((org) => audit.record(entry(org, 1))));
      expect(await transactionsAfterFirst(orgs)).toBe(2);
      for (const org of orgs) expect(await audit.verify(org)).toEqual(WHOLE(2));
    });

    it("an org whose head another process moved is appended after it; the others' in the batch go in", async () => {
      const orgs = await orgsWithHeads(5);
      const other = new AuditEvents(dbs().domains.audit);
      await other.record(entry(orgs[2]!, 1)); // the head this process knows for orgs[2] is now stale
      await Promise.all(orgs.map((org) => audit.record(entry(org, 2))));
      for (const [i, org] of orgs.entries()) expect(await audit.verify(org)).toEqual(WHOLE(i === 2 ? 3 : 2));
      const last = await audit.list(orgs[2]!, { limit: 1 });
      expect(last.entries[0]).toMatchObject({ seq: 3, detail: { i: 2 } });
    });

    it("an entry that cannot be stored fails its own org's call only, not other orgs' batched with it", async () => {
      const orgs = await orgsWithHeads(4);
      // jsonb refuses the NUL character: this org's part fails, and with it the statement.
      const outcomes = await Promise.all(
        orgs.map((org, i) => audit.record(entry(org, 1, i === 2 ? { detail: { note: 'a\u0000b' } } : {})).then(() => 'recorded', () => 'failed')),
      );
      expect(outcomes).toEqual(['recorded', 'recorded', 'failed', 'recorded']);
      for (const [i, org] of orgs.entries()) expect(await audit.verify(org)).toEqual(WHOLE(i === 2 ? 1 : 2));
    });

    it('the batch function sets each org for its own part only, and refuses to run inside an org’s transaction', async () => {
      const [a, b] = await orgsWithHeads(2);
      const headOf = async (tenantId: string) =>
        (await dbs().inspect('audit', (sql) => sql.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit.chain_heads WHERE tenant_id = $1', [tenantId])))[0]!;
      const [headA, headB] = [await headOf(a!), await headOf(b!)];
      const many = 'SELECT tenant_id::text AS "tenantId", moved FROM audit.append_chained_many($1::jsonb)';
      // Inside org a's tenant transaction, a batch naming org b is refused as a whole.
      const element = (tenantId: string, head: { seq: string; hash: string }) => ({ tenant_id: tenantId, prev_seq: Number(head.seq), prev_hash: head.hash, entries: [], head_hash: head.hash });
      const inA = dbs().domains.audit.withTenant(a!, (sql) => sql.query(many, [JSON.stringify([element(b!, headB)])]));
      await expect(inA).rejects.toThrow(/tenant context/);
      // A stale head for b (as a guessing caller would send) moves nothing of b; a's part goes on, answered per org.
      const rows = await dbs().domains.audit.appStatementAcross([a!, b!], () => ({ text: many, params: [JSON.stringify([element(a!, headA), { ...element(b!, headB), prev_seq: 99 }])] }));
      expect(new Map(rows.map((r) => [(r as { tenantId: string }).tenantId, (r as { moved: boolean }).moved]))).toEqual(new Map([[a, true], [b, false]]));
      expect(await headOf(b!)).toEqual(headB);
      // Nothing of the statement's org settings outlives it: a plain statement after it sees no org's rows.
      const seen = await dbs().domains.audit.appStatement(a!, 'SELECT count(*)::int AS n FROM audit.events', []);
      expect(seen).toEqual([{ n: 0 }]);
      expect(await audit.verify(a!)).toEqual(WHOLE(1));
      expect(await audit.verify(b!)).toEqual(WHOLE(1));
    });
  });
}
