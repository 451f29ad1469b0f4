import type { Path } from './attack-case.ts';

/**
 * The string fields an input schema declares (zod 4, read from `_zod.def`), so the suite can
 * check a case's valid input names every one of them: an optional string field left out of
 * the valid input would never receive an injection string. Array elements are named by
 * index 0; a record's free-form keys are not listed (the valid input shows its own).
 */
interface ZodLike {
  _zod: { def: ZodDef };
}
interface ZodDef {
  type: string;
  shape?: Record<string, ZodLike>;
  innerType?: ZodLike;
  in?: ZodLike;
  element?: ZodLike;
  options?: ZodLike[];
  values?: unknown[];
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'nonoptional', 'catch', 'success']);

export function schemaStringPaths(schema: unknown, path: Path = []): Path[] {
  const def = (schema as ZodLike | undefined)?._zod?.def;
  if (!def) return [];
  if (def.type === 'string' || def.type === 'enum') return [path];
  if (def.type === 'literal') return def.values?.some((value) => typeof value === 'string') ? [path] : [];
  if (def.type === 'object') return Object.entries(def.shape ?? {}).flatMap(([key, field]) => schemaStringPaths(field, [...path, key]));
  if (WRAPPERS.has(def.type)) return schemaStringPaths(def.innerType, path);
  if (def.type === 'pipe') return schemaStringPaths(def.in, path);
  if (def.type === 'array') return schemaStringPaths(def.element, [...path, 0]);
  if (def.type === 'union') {
    const seen = new Map<string, Path>();
    for (const option of def.options ?? []) for (const found of schemaStringPaths(option, path)) seen.set(found.join('.'), found);
    return [...seen.values()];
  }
  return [];
}
