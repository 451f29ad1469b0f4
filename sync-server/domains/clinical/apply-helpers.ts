import type { z } from 'zod';
import type { AppError } from '../../../shared/errors.ts';
import type { Mutation } from '../../../shared/sync/mutation.ts';

/**
 * A push for an id the org does not have that carries fewer than all fields is an edit of
 * a record it cannot see (unknown, or another org's): it gets the same NOT_FOUND as any
 * unknown id. A full set of fields that fails its schema is a VALIDATION error instead.
 */
export function isEditOfUnknown(mutation: Mutation, schema: z.ZodObject): boolean {
  return Object.keys(mutation.fields).length < Object.keys(schema.shape).length;
}

/** The rules answer AppError | null; an applier throws the first refusal (turned into a rejection by the service). */
export function throwIf(refusal: AppError | null): void {
  if (refusal) throw refusal;
}
