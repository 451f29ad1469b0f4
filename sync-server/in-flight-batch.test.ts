import { describe, expect, it } from 'vitest';
import { InFlightBatch } from './in-flight-batch.ts';

/** A write that records each call's items and answers per item with `answer`, after a turn of the event loop. */
function recordingWrite(answer: (item: string, batch: readonly string[]) => string | undefined | Error) {
  const calls: string[][] = [];
  const write = async (items: readonly string[]) => {
    calls.push([...items]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const answers = items.map((item) => answer(item, items));
    const thrown = answers.find((a) => a instanceof Error);
    if (thrown) throw thrown;
    return answers as (string | undefined)[];
  };
  return { calls, write };
}

const settle = (promises: Promise<string>[]) => Promise.all(promises.map((p) => p.then((v) => `ok:${v}`, (e: Error) => `failed:${e.message}`)));

describe('InFlightBatch', () => {
  it('sends the first item at once, alone, and the items added meanwhile together in the next write', async () => {
    const { calls, write } = recordingWrite((item) => item.toUpperCase());
    const batch = new InFlightBatch(write, 64);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((item) => batch.add(item)));
    expect(results).toEqual(['A', 'B', 'C', 'D']);
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('takes at most maxBatch items per write, in the order added', async () => {
    const { calls, write } = recordingWrite((item) => item);
    const batch = new InFlightBatch(write, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batch.add(item)));
    expect(calls).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('a quiet batcher writes each item as it comes (no timer holds it)', async () => {
    const { calls, write } = recordingWrite((item) => item);
    const batch = new InFlightBatch(write, 64);
    await batch.add('a');
    await batch.add('b');
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('a write that throws is retried one item at a time, so the failure stays with its item', async () => {
    const { calls, write } = recordingWrite((item) => (item === 'bad' ? new Error('cannot store bad') : item));
    const batch = new InFlightBatch(write, 64);
    const outcomes = await settle(['a', 'b', 'bad', 'c'].map((item) => batch.add(item)));
    expect(outcomes).toEqual(['ok:a', 'ok:b', 'failed:cannot store bad', 'ok:c']);
    expect(calls).toEqual([['a'], ['b', 'bad', 'c'], ['b'], ['bad'], ['c']]);
  });

  it('items a write did not do are written again on their own; those it did are never written twice', async () => {
    // Like a batch across two databases where one statement failed: only the other's items are done.
    const { calls, write } = recordingWrite((item, items) => (items.length > 1 && item.startsWith('x') ? undefined : item));
    const batch = new InFlightBatch(write, 64);
    const outcomes = await settle(['a', 'x1', 'b', 'x2'].map((item) => batch.add(item)));
    expect(outcomes).toEqual(['ok:a', 'ok:x1', 'ok:b', 'ok:x2']);
    expect(calls).toEqual([['a'], ['x1', 'b', 'x2'], ['x1'], ['x2']]);
  });

  it('an item its own write does not do fails its caller, and the batcher goes on', async () => {
    const { write } = recordingWrite((item) => (item === 'lost' ? undefined : item));
    const batch = new InFlightBatch(write, 64);
    expect(await settle([batch.add('lost')])).toEqual(['failed:InFlightBatch: the write did not do its only item']);
    expect(await batch.add('next')).toBe('next');
  });

  it('a write that throws synchronously fails its callers and does not stop the batcher', async () => {
    let n = 0;
    const batch = new InFlightBatch<string, string>((items) => {
      if (n++ === 0) throw new Error('sync throw');
      return Promise.resolve([...items]);
    }, 64);
    expect(await settle([batch.add('a')])).toEqual(['failed:sync throw']);
    expect(await batch.add('b')).toBe('b');
  });

  it('calls onIdle once the last write is done and nothing waits, not between writes', async () => {
    const { write } = recordingWrite((item) => item);
    let idle = 0;
    const batch = new InFlightBatch(write, 2, () => idle++);
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => batch.add(item)));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(idle).toBe(1);
    await batch.add('f');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(idle).toBe(2);
  });

  it('refuses a maxBatch that is not a whole number ≥ 1', () => {
    expect(() => new InFlightBatch(async () => [], 0)).toThrow(/maxBatch/);
    expect(() => new InFlightBatch(async () => [], 1.5)).toThrow(/maxBatch/);
  });
});
