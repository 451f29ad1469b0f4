/** Query keys in one place, so invalidation after sync and sign-out cannot drift. */
export const keys = {
  session: ['session'] as const,
  sync: ['sync'] as const,
  patients: ['patients'] as const,
  patientList: (search: string) => ['patients', 'list', search] as const,
  appointments: ['appointments'] as const,
  /** Under the appointments prefix, so every sync (which refreshes appointments) refreshes the schedule too. */
  schedule: (view: 'day' | 'week', date: string, practitionerId: string, locationId: string) => ['appointments', 'schedule', view, date, practitionerId, locationId] as const,
  scheduleChoices: ['appointments', 'choices'] as const,
  /** Everything clinical (chart, my day, encounter views): one prefix to refresh after any clinical write or sync. */
  clinical: ['clinical'] as const,
  chart: (patientId: string) => ['clinical', 'chart', patientId] as const,
  encounter: (encounterId: string) => ['clinical', 'encounter', encounterId] as const,
  myDay: (date: string, practitionerId: string) => ['clinical', 'my-day', date, practitionerId] as const,
  clinicalPatients: (ids: readonly string[]) => ['clinical', 'patients', ...ids] as const,
  practitioners: ['practitioners'] as const,
};
