import { z } from 'zod';

/**
 * Job and event type names: dotted lower-case words ("appointment.status_changed"). The
 * same rule is a CHECK in the tables, and it keeps a type safe to use as NATS subject tokens.
 */
export const typeNameSchema = z
  .string()
  .max(100)
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/, 'must be dotted lower-case words');

/** Payloads are JSON objects of ids and codes; the cap keeps a runaway producer from filling the tables. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export function payloadJson(payload: Record<string, unknown>): string {
  const json = JSON.stringify(payload);
  if (json.length > MAX_PAYLOAD_BYTES) throw new Error(`payload over ${MAX_PAYLOAD_BYTES} bytes`);
  return json;
}
