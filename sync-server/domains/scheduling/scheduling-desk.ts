import type { DomainDb } from '../../db/domain-db.ts';
import { AppointmentDesk, type AppointmentDeskDeps } from './appointment-desk.ts';
import { LocationService } from './locations.ts';
import { ScheduleService } from './practitioner-schedules.ts';

/** scheduling as the desk procedures (scheduling.*) use it; sync goes through AppointmentService. */
export interface SchedulingDesk {
  locations: LocationService;
  schedules: ScheduleService;
  appointments: AppointmentDesk;
}

export function createSchedulingDesk(db: DomainDb, deps: AppointmentDeskDeps): SchedulingDesk {
  return {
    locations: new LocationService(db),
    schedules: new ScheduleService(db, deps.practitionerExists),
    appointments: new AppointmentDesk(db, deps),
  };
}
