import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { mergeFields } from './lww.ts';

const hlc = (ms: number, node = 'dev-a') => formatHlc({ ms, counter: 0, node });

describe('field-level last-writer-wins', () => {
  it('takes each field from its newest writer, independently', () => {
    const stored = { values: { givenName: 'Old', phone: '1' }, fieldHlc: { givenName: hlc(10), phone: hlc(30) } };
    const merged = mergeFields(stored, { givenName: 'New', phone: '2' }, hlc(20));
    expect(merged.values).toEqual({ givenName: 'New', phone: '1' });
    expect(merged.fieldHlc).toEqual({ givenName: hlc(20), phone: hlc(30) });
    expect(merged.won).toEqual(['givenName']);
  });

  it('ignores a replay of the same write', () => {
    const stored = { values: { a: 1 }, fieldHlc: { a: hlc(5) } };
    expect(mergeFields(stored, { a: 2 }, hlc(5)).won).toEqual([]);
  });

  it('converges whatever order two writes arrive in', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), fc.string(), fc.string(), (t1, t2, v1, v2) => {
        const empty = { values: {}, fieldHlc: {} };
        const w1 = { fields: { x: v1 }, hlc: hlc(t1, 'dev-a') };
        const w2 = { fields: { x: v2 }, hlc: hlc(t2, 'dev-b') };
        const ab = mergeFields(mergeFields(empty, w1.fields, w1.hlc), w2.fields, w2.hlc);
        const ba = mergeFields(mergeFields(empty, w2.fields, w2.hlc), w1.fields, w1.hlc);
        expect(ab.values).toEqual(ba.values);
        expect(ab.fieldHlc).toEqual(ba.fieldHlc);
      }),
    );
  });
});
