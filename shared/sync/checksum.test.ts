import { describe, expect, it } from 'vitest';
import { checksumVerdict, domainDigest, type ChecksumRow } from './checksum.ts';

const patient = (id: string, overrides: Record<string, unknown> = {}, version: number | null = 1): ChecksumRow => ({
  entity: 'patient',
  id,
  version,
  fields: { givenName: 'Ada', familyName: 'Testperson', birthDate: '1980-02-29', sex: 'female', phone: '555-0100', mrn: `M-${id}`, ...overrides },
});

describe('canonical domain digest', () => {
  const ids = Array.from({ length: 4_500 }, (_, i) => `0190a000-0000-7000-8000-${String(i).padStart(12, '0')}`);
  const rows = ids.map((id) => patient(id));

  it('is the same whatever the row order and the field order (more rows than one hashing chunk)', async () => {
    const reversed = [...rows].reverse().map((row) => ({ ...row, fields: Object.fromEntries(Object.entries(row.fields).reverse()) }));
    const a = await domainDigest(rows);
    expect(a).toEqual(await domainDigest(reversed));
    expect(a.rows).toBe(4_500);
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any synced field, the version, a missing or an extra row', async () => {
    const base = (await domainDigest(rows)).digest;
    const variants: ChecksumRow[][] = [
      rows.map((row, i) => (i === 4_321 ? patient(row.id, { phone: '555-0199' }) : row)),
      rows.map((row, i) => (i === 7 ? patient(row.id, {}, 2) : row)),
      rows.slice(1),
      [...rows, patient('0190a000-0000-7000-8000-999999999999')],
    ];
    const digests = await Promise.all(variants.map(async (variant) => (await domainDigest(variant)).digest));
    for (const digest of digests) expect(digest).not.toBe(base);
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('covers only the catalog fields: local extras (derived columns) do not count, absent equals null', async () => {
    const base = (await domainDigest(rows.slice(0, 10))).digest;
    expect((await domainDigest(rows.slice(0, 10).map((row) => ({ ...row, fields: { ...row.fields, startsAtMs: 1, field_hlc: '{}' } }))))).toMatchObject({ digest: base });
    const withNull = (await domainDigest([patient(ids[0]!, { phone: null })])).digest;
    const withAbsent = (await domainDigest([{ ...patient(ids[0]!), fields: { ...patient(ids[0]!).fields, phone: undefined } }])).digest;
    expect(withAbsent).toBe(withNull);
  });

  it('gives the verdict the server audits', () => {
    const server = { cursor: '10', digest: 'a'.repeat(64) };
    expect(checksumVerdict(server, {})).toBe('unclaimed');
    expect(checksumVerdict(server, { cursor: '9', digest: server.digest })).toBe('behind');
    expect(checksumVerdict(server, { cursor: '10', digest: server.digest })).toBe('match');
    expect(checksumVerdict(server, { cursor: '10', digest: 'b'.repeat(64) })).toBe('mismatch');
  });
});
