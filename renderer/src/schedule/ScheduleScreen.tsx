import { AppointmentsScreen } from '../appointments/AppointmentsScreen.tsx';

/** Placeholder while the day/week schedule is built (issue 6): the appointment list. */
export function ScheduleScreen() {
  return <AppointmentsScreen />;
}
