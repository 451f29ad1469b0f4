/** Query keys in one place, so invalidation after sync and sign-out cannot drift. */
export const keys = {
  session: ['session'] as const,
  sync: ['sync'] as const,
  patients: ['patients'] as const,
  patientList: (search: string) => ['patients', 'list', search] as const,
  appointments: ['appointments'] as const,
};
