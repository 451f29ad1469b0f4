import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { NewPatientInput } from '../api/types.ts';

export function usePatients(search: string, limit = 200) {
  const trimmed = search.trim();
  return useQuery({
    queryKey: [...keys.patientList(trimmed), limit],
    queryFn: () => api.patients.list.query(trimmed ? { search: trimmed, limit } : { limit }),
    placeholderData: keepPreviousData,
  });
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
