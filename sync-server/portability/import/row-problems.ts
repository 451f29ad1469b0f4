import type { z } from 'zod';

/** One thing wrong with a row: the field by name and why, never the value. */
export interface RowProblem {
  field: string;
  message: string;
}

/** A source row mapped to what the import writes, or every reason it cannot be. */
export type Mapped<T> = { ok: true; row: T; warnings: RowProblem[] } | { ok: false; problems: RowProblem[] };

/** A NUL or other control character would be refused by the database (and fail the whole batch). */
const CONTROL = /\p{Cc}/u;

export function hasControlCharacters(value: unknown): boolean {
  return typeof value === 'string' && CONTROL.test(value);
}

/**
 * A zod failure as row problems, with each issue's path renamed to the source's own field
 * name (a CSV column, a FHIR element). zod's messages here never include the input value.
 */
export function zodProblems(error: z.ZodError, names: Record<string, string>): RowProblem[] {
  return error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    return { field: names[key] ?? key, message: issue.code === 'invalid_value' || issue.code === 'invalid_type' ? 'is not one of the accepted values' : issue.message };
  });
}

/** One problem per field (the first found), so a missing value is not also reported as malformed. */
export function firstPerField(problems: readonly RowProblem[]): RowProblem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => !seen.has(problem.field) && seen.add(problem.field));
}
