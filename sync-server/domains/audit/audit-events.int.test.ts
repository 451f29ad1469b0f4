import { beforeAll, describe, expect, it } from 'vitest';
import { requirePostgres, testPostgresUrl } from '../../../test/support/postgres.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import { UNATTRIBUTED_TENANT_ID, type AuditEntry } from '../../audit/audit-trail.ts';
import { grantDomainAccess } from '../../db/roles.ts';
import type { AdminSql } from '../../db/sql.ts';
import { testEngines } from '../../testing/engines.ts';
import { useFreshDatabases } from '../../testing/fresh-databases.ts';
import { AuditEvents } from './audit-events.ts';
import { removeChain } from './chain-removal.ts';

/** What a missing privilege looks like, and what the append-only trigger says. */
const DENIED = { code: '42501', message: expect.stringMatching(/permission denied/) };
const APPEND_ONLY = { code: '42501', message: expect.stringMatching(/append-only/) };

const engines = testEngines(await requirePostgres('sync-server/domains/audit (PostgreSQL)'), testPostgresUrl());

function entry(tenantId: string | null, i: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    tenantId,
    actor: null,
    action: i % 2 === 0 ? 'job:even' : 'job:odd',
    kind: 'job',
    entity: 'appointment',
    ids: [uuidv7()],
    outcome: i % 3 === 0 ? 'denied' : 'ok',
    errorCode: i % 3 === 0 ? 'FORBIDDEN' : null,
    detail: { i, note: 'n' },
    occurredAt: new Date(),
    ...overrides,
  };
}

for (const engine of engines) {
  describe.skipIf(!engine.available)(`audit domain: hash-chained, append-only (${engine.name})`, () => {
    const dbs = useFreshDatabases(engine);
    let audit: AuditEvents;

    /** A fresh org with a chain of n entries. */
    async function chainOf(n: number): Promise<string> {
      const tenantId = uuidv7();
      for (let i = 1; i <= n; i++) await audit.record(entry(tenantId, i));
      return tenantId;
    }

    /** What an attacker with owner access would do: switch the trigger off, tamper, switch it on. */
    async function tamper(script: (sql: AdminSql) => Promise<unknown>): Promise<void> {
      await dbs().inspect('audit', async (sql) => {
        await sql.exec('ALTER TABLE audit.events DISABLE TRIGGER events_append_only');
        await script(sql);
        await sql.exec('ALTER TABLE audit.events ENABLE TRIGGER events_append_only');
      });
    }

    beforeAll(async () => {
      audit = new AuditEvents(dbs().domains.audit);
    });

    it('a chain of N entries verifies, numbered 1..N', async () => {
      const tenantId = await chainOf(30);
      expect(await audit.verify(tenantId)).toEqual({ ok: true, entries: 30, problems: [], truncated: false });
      const all = await audit.list(tenantId, { limit: 500 });
      expect(all.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
      expect(all.entries[29]?.prevHash).toBe('0'.repeat(64));
      expect(all.entries[0]?.detail).toEqual({ i: 30, note: 'n' });
    });

    it('detects an edited row by its seq', async () => {
      const tenantId = await chainOf(12);
      await tamper((sql) => sql.execute(`UPDATE audit.events SET outcome = 'ok', error_code = NULL WHERE tenant_id = $1 AND seq = 6`, [tenantId]));
      expect(await audit.verify(tenantId)).toMatchObject({ ok: false, entries: 12, problems: [{ seq: 6, kind: 'edited' }] });
    });

    it('detects an edit of the detail or a sub-millisecond change of the time', async () => {
      const tenantId = await chainOf(5);
      await tamper(async (sql) => {
        await sql.execute(`UPDATE audit.events SET detail = detail || '{"i": 99}' WHERE tenant_id = $1 AND seq = 2`, [tenantId]);
        await sql.execute(`UPDATE audit.events SET occurred_at = occurred_at + interval '1 microsecond' WHERE tenant_id = $1 AND seq = 4`, [tenantId]);
      });
      expect((await audit.verify(tenantId)).problems).toEqual([
        { seq: 2, kind: 'edited' },
        { seq: 4, kind: 'edited' },
      ]);
    });

    it('detects an edited row whose hash the attacker recomputed', async () => {
      const tenantId = await chainOf(8);
      // Any 64-hex value stands in for a recomputed hash: the next row's prev_hash no longer matches.
      await tamper((sql) => sql.execute(`UPDATE audit.events SET hash = $2 WHERE tenant_id = $1 AND seq = 3`, [tenantId, 'a'.repeat(64)]));
      expect((await audit.verify(tenantId)).problems).toEqual([{ seq: 3, kind: 'edited' }]);
    });

    it('detects a deleted middle row', async () => {
      const tenantId = await chainOf(10);
      await tamper((sql) => sql.execute('DELETE FROM audit.events WHERE tenant_id = $1 AND seq = 5', [tenantId]));
      expect(await audit.verify(tenantId)).toMatchObject({ ok: false, entries: 9, problems: [{ seq: 5, kind: 'missing' }] });
    });

    it('detects a deleted last row (the head still names it)', async () => {
      const tenantId = await chainOf(10);
      await tamper((sql) => sql.execute('DELETE FROM audit.events WHERE tenant_id = $1 AND seq = 10', [tenantId]));
      expect((await audit.verify(tenantId)).problems).toEqual([
        { seq: 10, kind: 'missing' },
        { seq: 10, kind: 'head_mismatch' },
      ]);
    });

    it('detects reordered rows', async () => {
      const tenantId = await chainOf(8);
      await tamper(async (sql) => {
        await sql.execute('UPDATE audit.events SET seq = 1000003 WHERE tenant_id = $1 AND seq = 3', [tenantId]);
        await sql.execute('UPDATE audit.events SET seq = 3 WHERE tenant_id = $1 AND seq = 4', [tenantId]);
        await sql.execute('UPDATE audit.events SET seq = 4 WHERE tenant_id = $1 AND seq = 1000003', [tenantId]);
      });
      expect((await audit.verify(tenantId)).problems).toEqual([
        { seq: 3, kind: 'reordered' },
        { seq: 4, kind: 'reordered' },
      ]);
    });

    it('the app and system roles cannot UPDATE, DELETE or TRUNCATE the trail (permission denied)', async () => {
      const tenantId = await chainOf(2);
      const attempts = [
        `UPDATE audit.events SET action = 'x' WHERE tenant_id = '${tenantId}'`,
        `DELETE FROM audit.events WHERE tenant_id = '${tenantId}'`,
        'TRUNCATE audit.events',
        `DELETE FROM audit.chain_heads WHERE tenant_id = '${tenantId}'`,
        'TRUNCATE audit.chain_heads',
      ];
      for (const statement of attempts) {
        // The privilege check, not the trigger (which would also answer 42501, with its own message).
        await expect(dbs().domains.audit.withTenant(tenantId, (sql) => sql.execute(statement)), `app: ${statement}`).rejects.toMatchObject(DENIED);
        await expect(dbs().domains.audit.system('test: tamper attempt', (sql) => sql.execute(statement)), `system: ${statement}`).rejects.toMatchObject(DENIED);
      }
      expect(await audit.verify(tenantId)).toMatchObject({ ok: true, entries: 2 });
    });

    it('takes back, at the next start, an UPDATE/DELETE someone granted by hand', async () => {
      const tenantId = await chainOf(1);
      const roles = dbs().rolesOf('audit');
      await dbs().inspect('audit', (sql) => sql.exec(`GRANT UPDATE, DELETE, TRUNCATE ON audit.events TO "${roles.app}"`));
      await dbs().inspect('audit', (sql) => grantDomainAccess(sql, 'audit', roles));
      await expect(dbs().domains.audit.withTenant(tenantId, (sql) => sql.execute('DELETE FROM audit.events'))).rejects.toMatchObject(DENIED);
    });

    it('refuses UPDATE, DELETE and TRUNCATE even to the owner while the trigger is on', async () => {
      const tenantId = await chainOf(1);
      for (const statement of [`UPDATE audit.events SET action = 'x' WHERE tenant_id = $1`, 'DELETE FROM audit.events WHERE tenant_id = $1']) {
        await expect(dbs().inspect('audit', (sql) => sql.execute(statement, [tenantId]))).rejects.toMatchObject(APPEND_ONLY);
      }
      await expect(dbs().inspect('audit', (sql) => sql.exec('TRUNCATE audit.events'))).rejects.toMatchObject(APPEND_ONLY);
      expect(await audit.verify(tenantId)).toMatchObject({ ok: true, entries: 1 });
    });

    it('keeps both chains valid under 200 concurrent records across two orgs', async () => {
      const [a, b] = [uuidv7(), uuidv7()];
      await Promise.all(Array.from({ length: 200 }, (_, i) => audit.record(entry(i % 2 === 0 ? a : b, i))));
      expect(await audit.verify(a)).toEqual({ ok: true, entries: 100, problems: [], truncated: false });
      expect(await audit.verify(b)).toEqual({ ok: true, entries: 100, problems: [], truncated: false });
    });

    it("two processes' appends to one new org keep one whole chain (each chains under the head's row lock, past the head it knew)", async () => {
      // Each AuditEvents groups only its own calls and remembers only its own last head, so the two contend on the
      // head row as two processes would, each mostly finding the head moved by the other since its last append:
      // chained to a head it no longer is, or without the lock, an insert would reuse a seq and fail on the key.
      const other = new AuditEvents(dbs().domains.audit);
      const tenantId = uuidv7();
      await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? audit : other).record(entry(tenantId, i))));
      expect(await audit.verify(tenantId)).toEqual({ ok: true, entries: 60, problems: [], truncated: false });
    });

    it('appends the calls of one org that arrive together in one transaction, each settled only once committed', async () => {
      const tenantId = uuidv7();
      const settled: number[] = [];
      await Promise.all(Array.from({ length: 20 }, (_, i) => audit.record(entry(tenantId, i)).then(() => settled.push(i))));
      expect(settled).toHaveLength(20);
      expect(await audit.verify(tenantId)).toEqual({ ok: true, entries: 20, problems: [], truncated: false });
      // Rows written by one transaction share its xmin: the first call alone, the 19 that queued behind it together.
      const transactions = await dbs().inspect('audit', (sql) =>
        sql.query<{ n: number }>('SELECT count(DISTINCT xmin::text)::int AS n FROM audit.events WHERE tenant_id = $1', [tenantId]),
      );
      expect(transactions).toEqual([{ n: 2 }]);
      // In the order recorded: seq follows the order of the calls.
      const listed = await audit.list(tenantId, { limit: 500 });
      expect(listed.entries.map((e) => e.detail.i)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i));
    });

    it('an entry that cannot be stored fails its own call only, not the calls batched with it', async () => {
      const tenantId = uuidv7();
      // jsonb refuses the NUL character: this entry's insert fails.
      const unstorable = entry(tenantId, 2, { detail: { note: 'a\u0000b' } });
      const outcomes = await Promise.all(
        [entry(tenantId, 0), entry(tenantId, 1), unstorable, entry(tenantId, 3)].map((e) => audit.record(e).then(() => 'recorded', () => 'failed')),
      );
      expect(outcomes).toEqual(['recorded', 'recorded', 'failed', 'recorded']);
      expect(await audit.verify(tenantId)).toEqual({ ok: true, entries: 3, problems: [], truncated: false });
      expect((await audit.list(tenantId, { limit: 500 })).entries.map((e) => e.detail.i)).toEqual([3, 1, 0]);
    });

    it("an org's reads never return another org's entries, even without a tenant filter", async () => {
      const [a, b] = [await chainOf(4), await chainOf(6)];
      const page = await audit.list(a, { limit: 500 });
      expect(page.entries).toHaveLength(4);
      expect(page.entries.every((e) => e.tenantId === a)).toBe(true);
      const seen = await dbs().domains.audit.withTenant(a, (sql) => sql.query<{ t: string }>('SELECT DISTINCT tenant_id::text AS t FROM audit.events'));
      expect(seen).toEqual([{ t: a }]);
      const heads = await dbs().domains.audit.withTenant(a, (sql) => sql.query('SELECT * FROM audit.chain_heads WHERE tenant_id = $1', [b]));
      expect(heads).toEqual([]);
      // Writing into another org's chain is refused by the policy.
      await expect(
        dbs().domains.audit.withTenant(a, (sql) => sql.execute(`UPDATE audit.chain_heads SET seq = 0 WHERE tenant_id = $1`, [b])),
      ).resolves.toBe(0);
    });

    it('files entries without an org in the unattributed chain, which no org sees', async () => {
      const org = await chainOf(1);
      const before = (await audit.verify(UNATTRIBUTED_TENANT_ID)).entries;
      await audit.record(entry(null, 1, { kind: 'query', action: 'sync.pull', outcome: 'refused', errorCode: 'TENANT_UNKNOWN' }));
      expect(await audit.verify(UNATTRIBUTED_TENANT_ID)).toMatchObject({ ok: true, entries: before + 1 });
      expect((await audit.list(UNATTRIBUTED_TENANT_ID, { limit: 1 })).entries[0]).toMatchObject({ tenantId: UNATTRIBUTED_TENANT_ID, errorCode: 'TENANT_UNKNOWN' });
      expect((await audit.list(org, { limit: 500 })).entries.every((e) => e.tenantId === org)).toBe(true);
    });

    it('appends in one statement that scopes itself: nothing if the head is not the one expected, never in a transaction of another org', async () => {
      const [a, b] = [await chainOf(2), await chainOf(1)];
      const headOf = async (tenantId: string) =>
        dbs().inspect('audit', (sql) => sql.query<{ seq: string; hash: string }>('SELECT seq::text AS seq, hash FROM audit.chain_heads WHERE tenant_id = $1', [tenantId]));
      const [head] = await headOf(a);
      const append = 'SELECT audit.append_chained($1, $2, $3, $4, $5) AS moved';
      // A stale head (seq 1, as another process would have known it): refused, and nothing changes.
      const stale = [a, 1, head!.hash, JSON.stringify([{ seq: 2, id: uuidv7(), occurred_at: new Date().toISOString(), action: 'x', kind: 'job', ids: [], outcome: 'ok', detail: {}, prev_hash: head!.hash, hash: head!.hash }]), head!.hash];
      expect(await dbs().domains.audit.appStatement(a, append, stale)).toEqual([{ moved: false }]);
      expect(await headOf(a)).toEqual([head]);
      expect(await audit.verify(a)).toEqual({ ok: true, entries: 2, problems: [], truncated: false });
      // Its own org's tenant transaction is fine (the locked path calls it there); another org's is refused.
      const [headB] = await headOf(b);
      const inA = dbs().domains.audit.withTenant(a, (sql) => sql.query(append, [b, Number(headB!.seq), headB!.hash, '[]', headB!.hash]));
      await expect(inA).rejects.toThrow(/another org's tenant context/);
      expect(await audit.verify(b)).toEqual({ ok: true, entries: 1, problems: [], truncated: false });
    });

    it('removes one org’s whole chain (offboarding, tenant move) and leaves the trigger on', async () => {
      const [gone, kept] = [await chainOf(3), await chainOf(3)];
      expect(await dbs().inspect('audit', (sql) => removeChain(sql, gone))).toBe(3);
      expect(await audit.verify(gone)).toEqual({ ok: true, entries: 0, problems: [], truncated: false });
      expect(await audit.verify(kept)).toMatchObject({ ok: true, entries: 3 });
      await expect(dbs().inspect('audit', (sql) => sql.execute('DELETE FROM audit.events WHERE tenant_id = $1', [kept]))).rejects.toMatchObject(APPEND_ONLY);
      await audit.record(entry(gone, 1));
      expect(await audit.verify(gone)).toMatchObject({ ok: true, entries: 1 });
    });

    it('lists with filters in keyset pages, newest first', async () => {
      const tenantId = uuidv7();
      const device = uuidv7();
      const marked = uuidv7();
      for (let i = 1; i <= 25; i++) {
        await audit.record(
          entry(tenantId, i, {
            ids: i === 7 ? [marked] : [uuidv7()],
            actor: i <= 5 ? { userId: uuidv7(), sessionId: uuidv7(), deviceId: device, role: 'front_desk' } : null,
          }),
        );
      }
      const seqs: number[] = [];
      let before: number | undefined;
      for (;;) {
        const page = await audit.list(tenantId, { limit: 10, ...(before ? { before } : {}) });
        seqs.push(...page.entries.map((e) => e.seq));
        if (page.nextBefore === null) break;
        before = page.nextBefore;
      }
      expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
      expect((await audit.list(tenantId, { limit: 500, outcome: 'denied' })).entries.map((e) => e.seq)).toEqual([24, 21, 18, 15, 12, 9, 6, 3]);
      expect((await audit.list(tenantId, { limit: 500, action: 'job:even', kind: 'job' })).entries).toHaveLength(12);
      expect((await audit.list(tenantId, { limit: 500, entityId: marked })).entries.map((e) => e.seq)).toEqual([7]);
      expect((await audit.list(tenantId, { limit: 500, deviceId: device })).entries.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1]);
      expect((await audit.list(tenantId, { limit: 500, from: new Date(Date.now() + 60_000).toISOString() })).entries).toEqual([]);
      expect((await audit.list(tenantId, { limit: 500, to: new Date(Date.now() + 60_000).toISOString(), entity: 'appointment' })).entries).toHaveLength(25);
    });
  });
}
