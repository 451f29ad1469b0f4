import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { NewAppointmentInput } from '../api/types.ts';
import { useRefresh } from '../schedule/use-schedule.ts';

export function useBookAppointment() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: (input: NewAppointmentInput) => api.appointments.create.mutate(input), onSuccess: refresh });
}
