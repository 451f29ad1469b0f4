import { isId } from '../../shared/ids.ts';
import type { Path } from './attack-case.ts';

/** Every string-valued field of an input, with its path (arrays and nested objects included). */
export function stringLeaves(value: unknown, path: Path = []): { path: Path; value: string }[] {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringLeaves(item, [...path, index]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => stringLeaves(item, [...path, key]));
  return [];
}

/** The fields that hold an id (a UUID) — each must get a cross-org variant. */
export function idLeaves(value: unknown): Path[] {
  return stringLeaves(value).filter((leaf) => isId(leaf.value)).map((leaf) => leaf.path);
}

export function pathKey(path: Path): string {
  return path.length === 0 ? '(input)' : path.join('.');
}

/** A copy of the input with one field replaced (created if absent). */
export function withValue(input: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  if (Array.isArray(input)) {
    const copy = [...input];
    copy[head as number] = withValue(copy[head as number], rest, value);
    return copy;
  }
  const record = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  return { ...record, [head]: withValue(record[head], rest, value) };
}
