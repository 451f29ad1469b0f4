import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header a load balancer sets and the server echoes (lower-case, as Node presents it). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What an incoming id may look like to be kept: a UUID, a hex trace id, `lb-1234.5`, at most
 * 128 characters. Anything else (spaces, quotes, control characters, a sentence) is replaced
 * by our own id, so a caller cannot write into our logs or response headers through it.
 */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

const assigned = new WeakMap<IncomingMessage, string>();

/**
 * The id of an HTTP request or of a WebSocket upgrade: the caller's `x-request-id` when it is
 * well-formed (one header, not a repeated one), otherwise a fresh UUID. Decided once per
 * request, so the echoed header, the context and the logs all carry the same id.
 */
export function requestIdOf(req: IncomingMessage): string {
  let id = assigned.get(req);
  if (id === undefined) {
    const header = req.headers[REQUEST_ID_HEADER];
    id = isWellFormedRequestId(header) ? header : randomUUID();
    assigned.set(req, id);
  }
  return id;
}
