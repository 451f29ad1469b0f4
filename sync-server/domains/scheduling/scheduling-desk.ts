import type { DomainDb } from '../../db/domain-db.ts';
import { AppointmentDesk, type AppointmentDeskDeps } from './appointment-desk.ts';
import { BookingConflictService } from './booking-conflicts.ts';
import { LocationService } from './locations.ts';
import { ScheduleService } from './practitioner-schedules.ts';

/** scheduling as the desk procedures (scheduling.*) use it; sync goes through AppointmentService. */
export interface SchedulingDesk {
  locations: LocationService;
  schedules: ScheduleService;
  appointments: AppointmentDesk;
  /** Double-booked slots: listed, and dismissed when the overlap is meant. */
  conflicts: BookingConflictService;
}

export function createSchedulingDesk(db: DomainDb, deps: AppointmentDeskDeps): SchedulingDesk {
  return {
    locations: new LocationService(db, deps.notify),
    schedules: new ScheduleService(db, deps.practitionerExists, deps.notify),
    appointments: new AppointmentDesk(db, deps),
    conflicts: new BookingConflictService(db, deps.notify),
  };
}
