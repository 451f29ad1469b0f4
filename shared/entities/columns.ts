import { ENTITY_CATALOG, type EntityFields, type EntityName } from './catalog.ts';

/**
 * Storage column of a wire field. The server's tables and the workstation's store both
 * name columns as the snake_case of the wire name, so the mapping is derived here once
 * instead of being written out by hand on each side (where the two could drift apart).
 */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function columnsOf<F extends string>(fields: readonly F[]): { readonly [K in F]: string } {
  return Object.fromEntries(fields.map((field) => [field, columnOf(field)])) as { readonly [K in F]: string };
}

/** Every field of an entity (from the catalog's schema) -> its column. */
export function entityColumns<E extends EntityName>(entity: E): { readonly [F in keyof EntityFields<E> & string]: string } {
  return columnsOf(Object.keys(ENTITY_CATALOG[entity].fields.shape) as Array<keyof EntityFields<E> & string>);
}
