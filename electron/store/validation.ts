import type { z } from 'zod';
import { AppError } from '../../shared/errors.ts';

/** A VALIDATION AppError that also says which field failed (for the form next to it). */
export class ValidationError extends AppError {
  readonly fieldErrors: Record<string, string>;
  constructor(message: string, fieldErrors: Record<string, string>) {
    super('VALIDATION', message);
    this.name = 'ValidationError';
    this.fieldErrors = fieldErrors;
  }
}

/** Turns zod issues into one readable sentence; zod's messages here never echo the input. */
export function validationErrorFrom(what: string, error: z.ZodError): ValidationError {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'input';
    fieldErrors[field] ??= issue.message;
  }
  const parts = Object.entries(fieldErrors).map(([field, message]) => `${field} ${message}`);
  return new ValidationError(`Check the ${what}: ${parts.join('; ')}.`, fieldErrors);
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw validationErrorFrom(what, parsed.error);
  return parsed.data;
}
