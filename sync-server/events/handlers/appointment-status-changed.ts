import { AppError } from '../../../shared/errors.ts';
import { derivedId } from '../../jobs/derived-id.ts';
import { EVENT_PAYLOADS } from '../catalog.ts';
import { defineEventHandler } from '../event-handler.ts';

export const NO_SHOW_FOLLOW_UP = 'no_show_follow_up';

/**
 * A no-show opens a follow-up workflow run (someone contacts the patient); if the
 * appointment is no longer a no-show when the event arrives (checked in or cancelled
 * after all), an open follow-up is cancelled instead. The appointment is looked up in the
 * event's org only: an id from another org is not found, and the event is rejected.
 */
export const appointmentStatusChanged = defineEventHandler(EVENT_PAYLOADS['appointment.status_changed'], async (scope, event, envelope, trail) => {
  const appointment = await scope.appointments.get(event.appointmentId);
  if (!appointment) throw new AppError('NOT_FOUND', 'No such appointment in this organization.');
  trail.touched('appointment', [appointment.id]);
  if (appointment.status === 'no_show') {
    const run = await scope.workflows.open({
      workflow: NO_SHOW_FOLLOW_UP,
      subjectId: appointment.id,
      step: 'contact_patient',
      id: derivedId(envelope.id, NO_SHOW_FOLLOW_UP),
    });
    trail.note('workflowRunId', run.id);
    trail.note('opened', run.created);
  } else {
    const closed = await scope.workflows.close({ workflow: NO_SHOW_FOLLOW_UP, subjectId: appointment.id, state: 'cancelled', step: 'resolved' });
    if (closed) trail.note('workflowRunId', closed);
  }
});
