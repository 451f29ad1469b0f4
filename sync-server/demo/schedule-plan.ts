import type { JobRole } from '../../shared/api/personnel.ts';
import type { TenantKind } from '../domains/tenant_info/tenants.ts';
import { FAKE_PRACTITIONERS } from './fake-names.ts';

export interface DemoPractitioner {
  displayName: string;
  jobTitle: string;
  jobRoles: JobRole[];
  /** The room this practitioner works in, Monday to Friday. */
  room: string;
}

export const DEMO_ROOMS = ['Room 1', 'Room 2', 'Room 3', 'Room 4'] as const;
/** Monday to Friday (ISO weekdays), 08:00–17:00 in 30-minute slots: the hours the demo appointments fall in. */
export const DEMO_WEEKDAYS = [1, 2, 3, 4, 5] as const;
export const DEMO_HOURS = { startTime: '08:00', endTime: '17:00', slotMinutes: 30 } as const;
/** Open-ended blocks valid from before any demo appointment. */
export const DEMO_SCHEDULE_FROM = '2026-01-01';

/**
 * Who the demo appointments name: one staff member per FAKE_PRACTITIONERS name (the same
 * text, so the schedule places those appointments), each in their own room.
 */
export function demoPractitioners(kind: TenantKind): DemoPractitioner[] {
  const vet = kind === 'veterinary';
  return FAKE_PRACTITIONERS.map((displayName, i) => {
    const nurse = displayName.startsWith('Nurse');
    const jobRoles: JobRole[] = nurse ? [vet ? 'veterinary_technician' : 'nurse'] : [vet ? 'veterinarian' : 'physician'];
    return { displayName, jobTitle: nurse ? 'Nurse' : vet ? 'Veterinarian' : 'Physician', jobRoles, room: DEMO_ROOMS[i % DEMO_ROOMS.length]! };
  });
}
