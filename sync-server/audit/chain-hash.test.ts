import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditRecord } from './audit-read.ts';
import { canonicalEncoding, entryHash, GENESIS_HASH, microsecondInstant, storableDetail } from './chain-hash.ts';

const fields: Omit<AuditRecord, 'hash'> = {
  tenantId: '0190a1b2-0000-7000-8000-000000000001',
  seq: 1,
  id: '0190a1b2-0000-7000-8000-0000000000aa',
  occurredAt: '2030-01-07T09:00:00.123000Z',
  actorUserId: '0190a1b2-0000-7000-8000-0000000000b1',
  actorSessionId: '0190a1b2-0000-7000-8000-0000000000b2',
  actorDeviceId: '0190a1b2-0000-7000-8000-0000000000b3',
  actorRole: 'front_desk',
  action: 'sync.pull',
  kind: 'query',
  entity: 'patient',
  ids: ['0190a1b2-0000-7000-8000-0000000000c1'],
  outcome: 'ok',
  errorCode: null,
  detail: { domain: 'master_data', count: 1 },
  prevHash: GENESIS_HASH,
};

describe('audit chain hash', () => {
  it('is SHA-256 of the documented canonical encoding', () => {
    const text = canonicalEncoding(fields);
    expect(text).toBe(
      '["clinicsync.audit.v1","0190a1b2-0000-7000-8000-000000000001","1","0190a1b2-0000-7000-8000-0000000000aa","2030-01-07T09:00:00.123000Z",' +
        '"0190a1b2-0000-7000-8000-0000000000b1","0190a1b2-0000-7000-8000-0000000000b2","0190a1b2-0000-7000-8000-0000000000b3","front_desk",' +
        '"sync.pull","query","patient",["0190a1b2-0000-7000-8000-0000000000c1"],"ok",null,[["count",1],["domain","master_data"]],' +
        `"${GENESIS_HASH}"]`,
    );
    expect(entryHash(fields)).toBe(createHash('sha256').update(text).digest('hex'));
    expect(entryHash(fields)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the key order of detail (jsonb reorders keys)', () => {
    expect(entryHash({ ...fields, detail: { count: 1, domain: 'master_data' } })).toBe(entryHash(fields));
  });

  it('changes when any stored field changes', () => {
    const base = entryHash(fields);
    const changes: Partial<Omit<AuditRecord, 'hash'>>[] = [
      { tenantId: '0190a1b2-0000-7000-8000-000000000002' },
      { seq: 2 },
      { id: '0190a1b2-0000-7000-8000-0000000000ab' },
      { occurredAt: '2030-01-07T09:00:00.123001Z' },
      { actorUserId: null },
      { actorSessionId: null },
      { actorDeviceId: null },
      { actorRole: 'clinician' },
      { action: 'sync.push' },
      { kind: 'mutation' },
      { entity: null },
      { ids: [] },
      { ids: ['0190a1b2-0000-7000-8000-0000000000c1', 'x'] },
      { outcome: 'error' },
      { errorCode: 'INTERNAL' },
      { detail: { domain: 'master_data', count: 2 } },
      { detail: { domain: 'master_data', count: '1' } },
      { prevHash: 'f'.repeat(64) },
    ];
    for (const change of changes) expect(entryHash({ ...fields, ...change }), JSON.stringify(change)).not.toBe(base);
  });

  it('stores non-finite numbers as text and times with microseconds', () => {
    expect(storableDetail({ a: Number.NaN, b: Infinity, c: 1, d: 'x', e: true })).toEqual({ a: 'NaN', b: 'Infinity', c: 1, d: 'x', e: true });
    expect(microsecondInstant(new Date('2030-01-07T09:00:00.123Z'))).toBe('2030-01-07T09:00:00.123000Z');
  });
});
