import { describe, expect, it } from 'vitest';
import { RecentMap } from './recent-map.ts';

describe('RecentMap', () => {
  it('holds at most max keys, dropping the least recently set', () => {
    const map = new RecentMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3); // a is now the most recent
    map.set('c', 4);
    expect(map.size).toBe(2);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([3, undefined, 4]);
    map.get('a'); // a read is not a use
    map.set('d', 5);
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([undefined, 4, 5]);
    map.delete('c');
    expect(map.size).toBe(1);
  });

  it('refuses a size that is not a whole number ≥ 1', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) expect(() => new RecentMap(max)).toThrow(/max/);
  });
});
