import type { Mutation } from '../../shared/sync/mutation.ts';
import { SYNC_MAX_INPUT_BYTES } from '../../shared/sync/procedures.ts';

/** A push input's own JSON around its mutations: protocol version, device id, brackets. */
const PUSH_ENVELOPE_BYTES = 128;

/**
 * The oldest of `mutations` (outbox order) that fit in one push the server will read
 * (SYNC_MAX_INPUT_BYTES, as JSON): the rest wait for the engine's next push of the cycle.
 * Most pushes are a few small changes and go whole; a backlog of long clinical notes (up to
 * 20,000 characters each, 500 to a batch) would not. At least one change when there is one:
 * a change alone is far under the limit whatever it holds, since every field it may carry is bounded.
 */
export function pushWithinBytes(mutations: readonly Mutation[], maxBytes: number = SYNC_MAX_INPUT_BYTES): Mutation[] {
  let bytes = PUSH_ENVELOPE_BYTES;
  for (let i = 0; i < mutations.length; i++) {
    bytes += Buffer.byteLength(JSON.stringify(mutations[i])) + 1; // and its comma
    if (bytes > maxBytes) return mutations.slice(0, Math.max(1, i));
  }
  return [...mutations];
}
