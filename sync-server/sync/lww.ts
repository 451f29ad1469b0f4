import { compareHlc, type Hlc } from '../../shared/hlc.ts';
import type { FieldConflict } from '../../shared/sync/mutation.ts';

export interface FieldState {
  values: Record<string, unknown>;
  fieldHlc: Record<string, Hlc>;
}

export interface MergeOutcome extends FieldState {
  /** Fields whose incoming value won (newer HLC than the stored one). */
  won: string[];
  /** Fields another writer changed since the incoming change's base, to different values. */
  concurrent: FieldConflict[];
}

/**
 * Field-level last-writer-wins: each incoming field replaces the stored one only if its
 * HLC is newer than the HLC that wrote the stored value. Equal HLCs are the same write
 * replayed, so they change nothing. Pure, so client and server agree by construction.
 */
export function mergeFields(current: FieldState, incoming: Record<string, unknown>, hlc: Hlc, baseHlc?: Record<string, string>): MergeOutcome {
  const values = { ...current.values };
  const fieldHlc = { ...current.fieldHlc };
  const won: string[] = [];
  const concurrent: FieldConflict[] = [];
  for (const [field, value] of Object.entries(incoming)) {
    const stored = fieldHlc[field];
    // Concurrent: the writer did not see the stored value (its base differs) and they disagree.
    if (baseHlc && field in baseHlc && stored !== undefined && stored !== hlc && baseHlc[field] !== stored && !sameValue(values[field], value)) {
      concurrent.push({ field, winner: compareHlc(hlc, stored) > 0 ? 'mine' : 'theirs', theirValue: values[field], theirHlc: stored });
    }
    if (stored !== undefined && compareHlc(hlc, stored) <= 0) continue;
    values[field] = value;
    fieldHlc[field] = hlc;
    won.push(field);
  }
  return { values, fieldHlc, won, concurrent };
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/** The HLC of every given field, for a freshly created entity. */
export function stampAll(fields: readonly string[], hlc: Hlc): Record<string, Hlc> {
  return Object.fromEntries(fields.map((field) => [field, hlc]));
}
