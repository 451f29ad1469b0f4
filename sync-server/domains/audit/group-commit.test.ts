import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.ts';

/** A write that records each call's items and finishes when the test lets it. */
function gatedWrites(fail: (items: readonly string[]) => boolean = () => false) {
  const calls: { key: string; items: string[] }[] = [];
  const gates: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (key: string, items: readonly string[]) => {
    calls.push({ key, items: [...items] });
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise<void>((resolve) => gates.push(resolve));
    inFlight -= 1;
    if (fail(items)) throw new Error(`cannot write ${items.join(',')}`);
  };
  const openAll = async () => {
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { calls, write, openAll, maxInFlight: () => maxInFlight, pending: () => gates.length };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes the first item at once and the items that arrived meanwhile together, in order', async () => {
    const w = gatedWrites();
    const group = new GroupCommit<string, string>(w.write, 64);
    const done = ['a1', 'a2', 'a3', 'a4'].map((item) => group.add('org-a', item));
    await tick();
    expect(w.calls).toEqual([{ key: 'org-a', items: ['a1'] }]);
    await w.openAll();
    await Promise.all(done);
    expect(w.calls).toEqual([
      { key: 'org-a', items: ['a1'] },
      { key: 'org-a', items: ['a2', 'a3', 'a4'] },
    ]);
    expect(group.busyKeys).toBe(0);
  });

  it('settles an add only after the write holding its item has finished', async () => {
    const w = gatedWrites();
    const group = new GroupCommit<string, string>(w.write, 64);
    let settled = false;
    const done = group.add('org-a', 'a1').then(() => (settled = true));
    await tick();
    expect(w.pending()).toBe(1);
    expect(settled).toBe(false);
    await w.openAll();
    await done;
    expect(settled).toBe(true);
  });

  it('never overlaps two writes of one key, and runs different keys side by side', async () => {
    const w = gatedWrites();
    const group = new GroupCommit<string, string>(w.write, 64);
    const done = [group.add('a', '1'), group.add('b', '1'), group.add('a', '2'), group.add('b', '2')];
    await tick();
    expect(w.calls.map((c) => c.key)).toEqual(['a', 'b']);
    expect(w.maxInFlight()).toBe(2);
    await w.openAll();
    await Promise.all(done);
    expect(w.calls.filter((c) => c.key === 'a').map((c) => c.items)).toEqual([['1'], ['2']]);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const w = gatedWrites();
    const group = new GroupCommit<string, number>(w.write as never, 3);
    const done = Array.from({ length: 8 }, (_, i) => group.add('a', i));
    await w.openAll();
    await Promise.all(done);
    expect(w.calls.map((c) => c.items)).toEqual([[0], [1, 2, 3], [4, 5, 6], [7]]);
  });

  it('fails only the item that cannot be written: a failed batch is retried one item at a time', async () => {
    const w = gatedWrites((items) => items.includes('bad'));
    const group = new GroupCommit<string, string>(w.write, 64);
    const first = group.add('a', 'ok0');
    const rest = ['ok1', 'bad', 'ok2'].map((item) => group.add('a', item).then(() => 'written', (error: Error) => error.message));
    await w.openAll();
    await first;
    expect(await Promise.all(rest)).toEqual(['written', 'cannot write bad', 'written']);
    expect(w.calls.map((c) => c.items)).toEqual([['ok0'], ['ok1', 'bad', 'ok2'], ['ok1'], ['bad'], ['ok2']]);
    // The key is free again: a later item is written normally.
    const later = group.add('a', 'ok3');
    await w.openAll();
    await expect(later).resolves.toBeUndefined();
  });

  it('turns a write that throws synchronously into its caller’s rejection', async () => {
    const group = new GroupCommit<string, string>(() => {
      throw new Error('sync throw');
    }, 8);
    await expect(group.add('a', 'x')).rejects.toThrow('sync throw');
    expect(group.busyKeys).toBe(0);
  });

  it('refuses a batch size that is not a whole number ≥ 1', () => {
    expect(() => new GroupCommit(async () => undefined, 0)).toThrow(/maxBatch/);
    expect(() => new GroupCommit(async () => undefined, 1.5)).toThrow(/maxBatch/);
  });
});
