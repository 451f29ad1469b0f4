import { z } from 'zod';
import { idSchema } from '../../../shared/ids.ts';
import { derivedId } from '../derived-id.ts';
import { defineJob } from '../job-handler.ts';

export const MARK_NO_SHOW = 'appointments.mark_no_show';

/**
 * Marks the named appointments no_show if they are still booked and have ended. Ids that
 * are not in the job's org (another org's, or none at all) are not found and left alone.
 *
 * Each appointment it marks is announced as `appointment.status_changed`, with an event id
 * derived from the job and the appointment: if the job fails after marking and runs again,
 * the appointments it marked before are announced again under the same ids, so nothing is
 * lost and nothing is announced twice.
 */
export const markNoShow = defineJob(
  z.strictObject({ appointmentIds: z.array(idSchema).min(1).max(500) }),
  async (scope, { appointmentIds }, job, trail) => {
    const now = Date.now();
    const found: string[] = [];
    const announce: string[] = [];
    for (const id of new Set(appointmentIds)) {
      const appointment = await scope.appointments.get(id);
      if (!appointment) continue;
      found.push(id);
      if (Date.parse(appointment.endsAt) > now) continue;
      if (appointment.status === 'booked') {
        if (await scope.appointments.markNoShow(id)) announce.push(id);
      } else if (appointment.status === 'no_show' && job.attempt > 1) {
        announce.push(id);
      }
    }
    for (const appointmentId of announce) {
      await scope.events.emit('appointment.status_changed', { appointmentId, from: 'booked', to: 'no_show' }, { id: derivedId(job.id, appointmentId, 'no_show') });
    }
    // Every appointment of the org it read; how many it marked. Ids it did not find are not the org's and stay out.
    trail.touched('appointment', found);
    trail.note('requested', appointmentIds.length);
    trail.note('marked', announce.length);
  },
);
