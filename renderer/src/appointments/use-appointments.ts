import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { NewAppointmentInput } from '../api/types.ts';

export function useBookAppointment() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: NewAppointmentInput) => api.appointments.create.mutate(input),
    onSuccess: () => {
      // The schedule's queries live under the appointments key.
      void queryClient.invalidateQueries({ queryKey: keys.appointments });
      void queryClient.invalidateQueries({ queryKey: keys.sync });
    },
  });
}
