import { describe, expect, it } from 'vitest';
import type { AuditRecord } from './audit-read.ts';
import { entryHash, GENESIS_HASH } from './chain-hash.ts';
import { verifyChain, type ChainSource } from './verify-chain.ts';

const TENANT = '0190a1b2-0000-7000-8000-000000000001';

/** A chain built exactly as the audit domain appends it. */
function chain(n: number): AuditRecord[] {
  const rows: AuditRecord[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const fields: Omit<AuditRecord, 'hash'> = {
      tenantId: TENANT,
      seq,
      id: `0190a1b2-0000-7000-8000-${String(seq).padStart(12, '0')}`,
      occurredAt: `2030-01-07T09:00:${String(seq % 60).padStart(2, '0')}.000000Z`,
      actorUserId: null,
      actorSessionId: null,
      actorDeviceId: null,
      actorRole: null,
      action: 'job:test',
      kind: 'job',
      entity: null,
      ids: [],
      outcome: 'ok',
      errorCode: null,
      detail: { n: seq },
      prevHash: rows.at(-1)?.hash ?? GENESIS_HASH,
    };
    rows.push({ ...fields, hash: entryHash(fields) });
  }
  return rows;
}

/** An in-memory source over rows as they might be found after tampering. */
function source(rows: AuditRecord[], head: { seq: number; hash: string } | null): ChainSource {
  const sorted = [...rows].sort((a, b) => a.seq - b.seq);
  return {
    snapshot: async () => ({ head, lastSeq: sorted.at(-1)?.seq ?? null }),
    page: async (after, upto, limit) => sorted.filter((r) => r.seq > after && r.seq <= upto).slice(0, limit),
    seqOfHash: async (hash) => sorted.find((r) => r.hash === hash)?.seq ?? null,
  };
}

const headOf = (rows: AuditRecord[]) => ({ seq: rows.at(-1)!.seq, hash: rows.at(-1)!.hash });

describe('verifyChain', () => {
  it('accepts an intact chain and an empty one', async () => {
    const rows = chain(10);
    expect(await verifyChain(source(rows, headOf(rows)))).toEqual({ ok: true, entries: 10, problems: [], truncated: false });
    expect(await verifyChain(source([], null))).toEqual({ ok: true, entries: 0, problems: [], truncated: false });
  });

  it('finds an edited row by its seq', async () => {
    const rows = chain(10);
    rows[4] = { ...rows[4]!, action: 'job:other' };
    expect((await verifyChain(source(rows, headOf(rows)))).problems).toEqual([{ seq: 5, kind: 'edited' }]);
  });

  it('finds an edited row whose hash was recomputed (the next link breaks)', async () => {
    const rows = chain(10);
    const { hash: _old, ...fields } = { ...rows[4]!, action: 'job:other' };
    rows[4] = { ...fields, hash: entryHash(fields) };
    expect((await verifyChain(source(rows, headOf(rows)))).problems).toEqual([{ seq: 5, kind: 'edited' }]);
  });

  it('finds a deleted first, middle and last row', async () => {
    const rows = chain(10);
    const head = headOf(rows);
    expect((await verifyChain(source(rows.filter((r) => r.seq !== 1), head))).problems).toEqual([{ seq: 1, kind: 'missing' }]);
    expect((await verifyChain(source(rows.filter((r) => r.seq !== 6), head))).problems).toEqual([{ seq: 6, kind: 'missing' }]);
    expect((await verifyChain(source(rows.filter((r) => r.seq !== 10), head))).problems).toEqual([
      { seq: 10, kind: 'missing' },
      { seq: 10, kind: 'head_mismatch' },
    ]);
  });

  it('finds two rows that swapped places', async () => {
    const rows = chain(10);
    const [r3, r4] = [rows[2]!, rows[3]!];
    rows[2] = { ...r4, seq: 3 };
    rows[3] = { ...r3, seq: 4 };
    expect((await verifyChain(source(rows, headOf(rows)))).problems).toEqual([
      { seq: 3, kind: 'reordered' },
      { seq: 4, kind: 'reordered' },
    ]);
  });

  it('finds a head that does not name the last row', async () => {
    const rows = chain(5);
    expect((await verifyChain(source(rows, null))).problems).toEqual([{ seq: 5, kind: 'head_mismatch' }]);
    expect((await verifyChain(source(rows, { seq: 5, hash: 'a'.repeat(64) }))).problems).toEqual([{ seq: 5, kind: 'head_mismatch' }]);
    expect((await verifyChain(source(rows, { seq: 4, hash: rows[3]!.hash }))).problems).toEqual([{ seq: 4, kind: 'head_mismatch' }]);
  });

  it('caps the report and says so', async () => {
    const rows = chain(3);
    const result = await verifyChain(source(rows, { seq: 5_000, hash: rows[2]!.hash }));
    expect(result.ok).toBe(false);
    expect(result.truncated).toBe(true);
    expect(result.problems).toHaveLength(1_000);
  });
});
