import type { EventHandlers } from '../event-handler.ts';
import { appointmentStatusChanged } from './appointment-status-changed.ts';

/** What the server's automation consumer handles. Event types without a handler are acknowledged and skipped. */
export const DEFAULT_EVENT_HANDLERS: EventHandlers = {
  'appointment.status_changed': appointmentStatusChanged,
};
