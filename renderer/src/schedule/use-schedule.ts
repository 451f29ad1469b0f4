import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { RescheduleInput } from '../api/types.ts';
import { rangeStart, type ScheduleMode } from './schedule-dates.ts';

export type ScheduleFilters = { practitionerId: string; locationId: string };

/** The day or week view from the local store; '' filters mean "everyone" / "everywhere". */
export function useScheduleView(mode: ScheduleMode, date: string, filters: ScheduleFilters) {
  const start = rangeStart(mode, date);
  const practitionerId = filters.practitionerId || undefined;
  const locationId = filters.locationId || undefined;
  return useQuery({
    queryKey: keys.schedule(mode, start, filters.practitionerId, filters.locationId),
    queryFn: () =>
      mode === 'day' ? api.schedule.day.query({ date: start, practitionerId, locationId }) : api.schedule.week.query({ weekStart: start, practitionerId, locationId }),
    // Keep the last view on screen while the next one loads (no flash when stepping days).
    placeholderData: (previous) => previous,
  });
}

export function useScheduleChoices() {
  return useQuery({ queryKey: keys.scheduleChoices, queryFn: () => api.appointments.choices.query() });
}

/**
 * After any appointment write: the schedule, the sync counter and (check-in) the clinical views.
 * The mutation waits for the refetch, so a form closing on success already sees the new
 * schedule (focus then returns to a control that still exists).
 */
export function useRefresh() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.appointments }),
      queryClient.invalidateQueries({ queryKey: keys.sync }),
      queryClient.invalidateQueries({ queryKey: keys.clinical }),
    ]);
}

export type AppointmentAction = 'checkIn' | 'cancel' | 'noShow';

export function useAppointmentAction() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ action, id }: { action: AppointmentAction; id: string }) => api.appointments[action].mutate({ id }),
    onSuccess: refresh,
  });
}

export function useReschedule() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (input: RescheduleInput) => api.appointments.reschedule.mutate(input), onSuccess: refresh });
}
