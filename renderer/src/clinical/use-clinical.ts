import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { NewOrderInput, SyncStatus } from '../api/types.ts';
import { useRefetchOnSyncChange } from '../api/use-refetch-on-sync.ts';

/** Reads of the clinician's screens: all local, so they answer offline too. */

export function useChart(patientId: string) {
  return useQuery({ queryKey: keys.chart(patientId), queryFn: () => api.clinical.chart.get.query({ patientId }) });
}

export function useEncounterDetail(encounterId: string) {
  return useQuery({ queryKey: keys.encounter(encounterId), queryFn: () => api.clinicalViews.encounter.query({ id: encounterId }) });
}

export function useMyDay(date: string, practitionerId: string) {
  return useQuery({
    queryKey: keys.myDay(date, practitionerId),
    queryFn: () => api.clinical.myDay.query({ date, practitionerId }),
    enabled: practitionerId !== '',
  });
}

/** The practitioner's booked appointments of the day (the schedule's own view). */
export function useDayAppointments(date: string, practitionerId: string) {
  return useQuery({
    queryKey: [...keys.appointments, 'my-day', date, practitionerId],
    queryFn: async () => {
      const day = await api.schedule.day.query({ date, practitionerId });
      const seen = new Map<string, (typeof day.columns)[number]['appointments'][number]>();
      for (const column of day.columns) for (const appointment of column.appointments) seen.set(appointment.id, appointment);
      // A booking whose location name matches no synced location is "unplaced", but still this practitioner's.
      for (const appointment of day.unplaced) if (appointment.practitionerId === practitionerId) seen.set(appointment.id, appointment);
      return [...seen.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    },
    enabled: practitionerId !== '',
  });
}

export function usePatientHeaders(ids: readonly string[]) {
  const sorted = [...new Set(ids)].sort();
  return useQuery({ queryKey: keys.clinicalPatients(sorted), queryFn: () => api.clinicalViews.patients.query({ ids: sorted }), enabled: sorted.length > 0 });
}

export function usePractitioners() {
  return useQuery({ queryKey: keys.practitioners, queryFn: () => api.staff.practitioners.query() });
}

/**
 * Note authors' names (author id -> the linked staff record's name), for the notes shown.
 * Under the practitioners key, so a sync that brings a new link refreshes them too.
 */
export function useAuthorNames(notes: readonly { authorId: string }[] | null | undefined): ReadonlyMap<string, string> {
  const ids = [...new Set((notes ?? []).map((note) => note.authorId))].sort();
  const names = useQuery({
    queryKey: [...keys.practitioners, 'authors', ...ids],
    queryFn: () => api.staff.authorNames.query({ userIds: ids }),
    enabled: ids.length > 0,
  });
  return new Map((names.data ?? []).map((author) => [author.userId, author.displayName]));
}

/**
 * Pulled records (another desk's note, a status change) show up without a click: when the
 * sync status the badge polls changes, the clinical views are read again.
 */
export function useRefreshOnSync() {
  const status = useQuery<SyncStatus>({ queryKey: keys.sync, queryFn: () => api.sync.status.query(), refetchInterval: 1000 });
  useRefetchOnSyncChange(status.data, [keys.clinical, keys.practitioners]);
}

/** Every clinical write: refresh the clinical views, the appointments of My day and the sync badge. */
function useClinicalMutation<I, O>(mutationFn: (input: I) => Promise<O>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: keys.clinical });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
    },
  });
}

export const useOpenEncounter = () =>
  useClinicalMutation((input: { patientId: string; appointmentId?: string | null; practitionerId?: string | null }) => api.clinical.encounters.open.mutate(input));
export const useCloseEncounter = () => useClinicalMutation((id: string) => api.clinical.encounters.close.mutate({ id }));
export const useCreateDraft = () =>
  useClinicalMutation((input: { encounterId: string; kind: NoteKindValue; body: string }) => api.clinical.notes.createDraft.mutate(input));
export const useEditDraft = () => useClinicalMutation((input: { id: string; kind: NoteKindValue; body: string }) => api.clinical.notes.editDraft.mutate(input));
export const useSignNote = () => useClinicalMutation((id: string) => api.clinical.notes.sign.mutate({ id }));
export const useAmendNote = () => useClinicalMutation((input: { noteId: string; body: string }) => api.clinical.notes.amend.mutate(input));
export const usePlaceOrder = () => useClinicalMutation((input: NewOrderInput) => api.clinical.orders.place.mutate(input));
export const useTransitionOrder = () => useClinicalMutation((input: { id: string; to: OrderStatusValue }) => api.clinical.orders.transition.mutate(input));

type NoteKindValue = Parameters<typeof api.clinical.notes.createDraft.mutate>[0]['kind'];
type OrderStatusValue = Parameters<typeof api.clinical.orders.transition.mutate>[0]['to'];
