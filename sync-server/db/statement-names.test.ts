import { describe, expect, it } from 'vitest';
import { StatementNames } from './statement-names.ts';

describe('StatementNames', () => {
  it('gives one name per text, the same one every time, and distinct texts distinct names', () => {
    const names = new StatementNames();
    const a = names.nameOf('SELECT 1 WHERE $1');
    const b = names.nameOf('SELECT 2 WHERE $1');
    expect(a).toMatch(/^cs_\d+$/);
    expect(b).not.toBe(a);
    expect(names.nameOf('SELECT 1 WHERE $1')).toBe(a);
    expect(names.size).toBe(2);
  });

  it('past the limit, new texts get no name (they run unnamed) while known ones keep theirs', () => {
    const names = new StatementNames(2);
    const a = names.nameOf('a');
    names.nameOf('b');
    expect(names.nameOf('c')).toBeUndefined();
    expect(names.nameOf('a')).toBe(a);
    expect(names.size).toBe(2);
  });

  it('refuses a limit that is not a whole number ≥ 0', () => {
    expect(() => new StatementNames(-1)).toThrow(/limit/);
    expect(() => new StatementNames(2.5)).toThrow(/limit/);
  });
});
