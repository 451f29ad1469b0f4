import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { MAX_PUSH_BATCH, pushInputSchema, type Mutation } from '../../shared/sync/mutation.ts';
import { SYNC_MAX_INPUT_BYTES } from '../../shared/sync/procedures.ts';
import { pushWithinBytes } from './push-within-bytes.ts';

/** A draft note whose body is `chars` three-byte characters (the longest a note may be: 20,000). */
function note(chars: number): Mutation {
  return {
    mutationId: uuidv7(),
    entity: 'note',
    id: uuidv7(),
    op: 'upsert',
    fields: { encounterId: uuidv7(), amendsId: null, kind: 'progress', body: '€'.repeat(chars), status: 'draft', authorId: uuidv7(), signedAt: null },
    hlc: '001764000000000-000000-desk-1',
    baseVersion: null,
  };
}

const inputBytes = (mutations: Mutation[]) => Buffer.byteLength(JSON.stringify({ protocolVersion: 1, deviceId: uuidv7(), mutations }));

describe('pushWithinBytes', () => {
  it('keeps a push of small changes whole', () => {
    const small = Array.from({ length: 20 }, () => note(50));
    expect(pushWithinBytes(small)).toEqual(small);
  });

  it("takes the oldest changes that fit, in the outbox's order, from a full batch of the longest notes", () => {
    const batch = Array.from({ length: MAX_PUSH_BATCH }, () => note(20_000));
    const first = pushWithinBytes(batch);
    expect(first.length).toBeGreaterThan(1);
    expect(first.length).toBeLessThan(batch.length);
    expect(first).toEqual(batch.slice(0, first.length));
    expect(inputBytes(first)).toBeLessThanOrEqual(SYNC_MAX_INPUT_BYTES);
    // One more would not have fitted.
    expect(inputBytes(batch.slice(0, first.length + 1))).toBeGreaterThan(SYNC_MAX_INPUT_BYTES);
  });

  it('sends one change alone even past the limit (the server then says it is too large; nothing is dropped)', () => {
    const batch = [note(30), note(30)];
    expect(pushWithinBytes(batch, 100)).toEqual([batch[0]]);
  });

  it('uses a valid push for its figures: the test note is what the schema accepts', () => {
    const checked = pushInputSchema.safeParse({ protocolVersion: 1, deviceId: uuidv7(), mutations: [note(20_000)] });
    expect(checked.success).toBe(true);
  });
});
