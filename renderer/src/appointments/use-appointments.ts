import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { NewAppointmentInput } from '../api/types.ts';

export function useAppointments() {
  return useQuery({ queryKey: keys.appointments, queryFn: () => api.appointments.list.query({}) });
}

export function useBookAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewAppointmentInput) => api.appointments.create.mutate(input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.appointments });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
    },
  });
}
