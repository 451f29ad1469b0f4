import type { z } from 'zod';

/**
 * First message per top-level field, phrased as a sentence with the field's label
 * ("Given name is required"). Enum mismatches get a plain "choose one" message.
 */
export function fieldErrors<K extends string>(error: z.ZodError, labels: Record<K, string>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (typeof field !== 'string' || !(field in labels)) continue;
    const key = field as K;
    if (out[key]) continue;
    const label = labels[key];
    out[key] = issue.code === 'invalid_value' ? `Choose a ${label.toLowerCase()}` : `${label} ${issue.message}`;
  }
  return out;
}

/** The server's field errors ("is required") as the form shows them, with the field's label; fields the form lacks are dropped. */
export function serverFieldErrors<K extends string>(errors: Record<string, string>, labels: Record<K, string>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const [field, message] of Object.entries(errors)) {
    if (field in labels) out[field as K] = `${labels[field as K]} ${message}`;
  }
  return out;
}
