import { keys } from '../api/keys.ts';
import type { PatientRow } from '../api/types.ts';

/**
 * A search's answer is dropped from the page as soon as no screen shows it (gcTime 0): it is
 * patient data, the store changes with every sync, and asking again costs a few ms. Typing
 * on moves each answer out of view at once; closing the Patients screen drops them all.
 */
const SEARCH_ANSWER_KEPT_MS = 0;

/** The query of one search (empty: every patient by name), asked of the local API by `list`. */
export function patientSearchQuery(trimmed: string, limit: number, list: () => Promise<PatientRow[]>) {
  return {
    queryKey: [...keys.patientList(trimmed), limit],
    queryFn: list,
    gcTime: SEARCH_ANSWER_KEPT_MS,
  };
}
