import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { stringLeaves, withValue } from '../support/attack-paths.ts';
import { schemaStringPaths } from '../support/attack-schema.ts';

/** The suite's own bookkeeping: which fields of an input get injection strings. */
describe('attack input paths', () => {
  it('lists every string field a schema declares, through wrappers, arrays, unions and pipes', () => {
    const schema = z
      .strictObject({
        name: z.string().trim().min(1),
        kind: z.enum(['a', 'b']),
        note: z.string().optional(),
        title: z.union([z.literal(''), z.string().max(10)]).default(''),
        code: z.string().transform((s) => s.toUpperCase()).pipe(z.string().length(3)),
        count: z.number().int(),
        flag: z.boolean().default(false),
        tags: z.array(z.object({ label: z.string(), weight: z.number() })),
        nested: z.object({ inner: z.string().nullable() }).prefault({ inner: null }),
        free: z.record(z.string(), z.unknown()),
      })
      .refine(() => true);
    expect(schemaStringPaths(schema).map((path) => path.join('.'))).toEqual(['name', 'kind', 'note', 'title', 'code', 'tags.0.label', 'nested.inner']);
  });

  it('finds the string leaves of an input and replaces one without touching the rest', () => {
    const input = { a: 'x', b: [{ c: 'y', d: 1 }], e: { f: 'z' } };
    expect(stringLeaves(input).map((leaf) => leaf.path.join('.'))).toEqual(['a', 'b.0.c', 'e.f']);
    expect(withValue(input, ['b', 0, 'c'], 'INJECTED')).toEqual({ a: 'x', b: [{ c: 'INJECTED', d: 1 }], e: { f: 'z' } });
    expect(input.b[0]!.c).toBe('y');
  });
});
