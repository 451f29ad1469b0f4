import { keepPreviousData, useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { DuplicateQueryInput, LinkByCodeInput, LinkExistingInput, NewPatientInput, PatientRow } from '../api/types.ts';
import { patientSearchQuery } from './patient-search-query.ts';

export interface ShownPatients {
  /** The (trimmed) search these rows answer: the caption must name it, not what is typed now. */
  query: string;
  rows: readonly PatientRow[];
  /** A newer search is on its way; these rows are the last answer until it lands. */
  stale: boolean;
}

/**
 * Search as you type: one query per keystroke, no debounce (the local store answers in a
 * few milliseconds). Each search has its own cache entry, so an older answer that arrives
 * late lands in ITS entry and is never shown as the answer to the newer search; while the
 * newer one is in flight the last shown rows stay (no empty flash), marked stale and still
 * captioned with their own search.
 */
export function usePatients(search: string, limit: number) {
  const trimmed = search.trim();
  const result = useQuery({ ...patientsQuery(trimmed, limit), placeholderData: keepPreviousData });
  const last = useRef<ShownPatients | null>(null);
  if (result.data && !result.isPlaceholderData) last.current = { query: trimmed, rows: result.data, stale: false };
  const shown: ShownPatients | null = result.isPlaceholderData && last.current ? { ...last.current, stale: true } : last.current;
  return { ...result, shown };
}

function patientsQuery(trimmed: string, limit: number) {
  return patientSearchQuery(trimmed, limit, () => api.patients.list.query(trimmed ? { search: trimmed, limit } : { limit }));
}

/**
 * Sends a keystroke's search from the input handler, before React renders the keystroke:
 * the render that follows finds the query already in flight under the same key and waits
 * for it instead of asking again, so the request does not wait for a render.
 */
export function startPatientSearch(queryClient: QueryClient, search: string, limit: number): void {
  void queryClient.prefetchQuery(patientsQuery(search.trim(), limit));
}

export function useCreatePatient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewPatientInput) => api.patients.create.mutate(input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.patients });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
    },
  });
}

/** Asked right before saving (never cached: the store changes with every sync). */
export function useDuplicateCheck() {
  return useMutation({ mutationFn: (input: DuplicateQueryInput) => api.patients.duplicates.query(input) });
}

export type LinkEvidence = ({ by: 'code' } & LinkByCodeInput) | ({ by: 'identifier' } & LinkExistingInput);

export function useLinkPatient() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ by, ...input }: LinkEvidence) =>
      by === 'code' ? api.patients.linkByCode.mutate(input as LinkByCodeInput) : api.patients.linkExisting.mutate(input as LinkExistingInput),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.patients });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
    },
  });
}
