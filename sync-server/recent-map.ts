/**
 * A Map that holds at most `max` keys, dropping the least recently set first: memory a
 * long-running process keeps per org or per session stays bounded however many pass
 * through. A Map in insertion order is the recency list: `set` re-inserts its key, so the
 * first key is always the least recently set, and evicting it is O(1). Reads do not count
 * as use: what is kept is what was last written.
 */
export class RecentMap<K, V> {
  private readonly max: number;
  private readonly entries = new Map<K, V>();

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error('RecentMap: max must be a whole number ≥ 1');
    this.max = max;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as K);
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
