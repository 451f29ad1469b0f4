import { z } from 'zod';
import { CAPABILITIES, roleCan } from '../../shared/auth/capabilities.ts';
import { appointmentFieldsSchema, type AppointmentFields } from '../../shared/entities/appointment.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema } from '../../shared/ids.ts';
import type { OrgStore } from '../store/org-store.ts';
import { ValidationError } from '../store/validation.ts';
import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

/**
 * The desk's appointment work on the local store (offline as online): list, book,
 * reschedule, cancel, no-show and check-in. Each write goes through the appointment
 * repository (row + outbox in one transaction) and wakes the sync engine; the server
 * detects and resolves double bookings (booking conflicts) when the changes arrive.
 */

/** Check-in also opens the encounter, so it needs that capability on top of schedule.write. */
const checkInProcedure = needs('schedule.write').use(({ ctx, next }) => {
  if (!roleCan(ctx.user.role, 'encounters.write')) {
    throw new AppError('FORBIDDEN', `Your role (${ctx.user.role.replace('_', ' ')}) may not ${CAPABILITIES['encounters.write']}.`);
  }
  return next();
});

const byId = z.strictObject({ id: idSchema });
const rescheduleInput = z.strictObject({
  id: idSchema,
  startsAt: appointmentFieldsSchema.shape.startsAt,
  endsAt: appointmentFieldsSchema.shape.endsAt,
  practitionerName: appointmentFieldsSchema.shape.practitionerName.optional(),
  location: appointmentFieldsSchema.shape.location.optional(),
});

type Status = AppointmentFields['status'];
type Action = 'reschedule' | 'cancel' | 'noShow' | 'checkIn';

/** Which statuses each action may start from; a late patient marked no-show can still check in. */
const ALLOWED_FROM: Record<Action, readonly Status[]> = {
  reschedule: ['booked'],
  cancel: ['booked'],
  noShow: ['booked'],
  checkIn: ['booked', 'no_show'],
};

/** Why an action cannot start from a status, in the desk's words. */
const REFUSALS: Record<Status, string> = {
  booked: 'This appointment is booked.',
  checked_in: 'This patient is already checked in, so the appointment can no longer change.',
  cancelled: 'This appointment was cancelled. Book a new one instead.',
  no_show: 'This appointment is marked as a no-show. Book a new one instead.',
};

function mustBeAble(store: OrgStore, id: string, action: Action): AppointmentFields {
  const current = store.appointments.get(id);
  if (!current) throw new AppError('NOT_FOUND', 'That appointment is not on this workstation.');
  if (!ALLOWED_FROM[action].includes(current.status)) throw new AppError('CONFLICT', REFUSALS[current.status]);
  return current;
}

/** The practitioner record the appointment's name means, if exactly one staff practitioner has it. */
function practitionerIdNamed(store: OrgStore, name: string): string | null {
  const key = name.trim().toLowerCase();
  if (!key) return null;
  const matches = store.setup.practitioners({ includeInactive: true }).filter((p) => p.displayName.trim().toLowerCase() === key);
  return matches.length === 1 ? matches[0]!.id : null;
}

function setStatus(store: OrgStore, id: string, action: Action, status: Status): { id: string; status: Status } {
  // Read and write in one transaction, so a pull landing between them cannot be overwritten unseen.
  store.db.transaction(() => {
    mustBeAble(store, id, action);
    store.appointments.update(id, { status });
  })();
  return { id, status };
}

/** A procedure that only moves an appointment's status (cancel, no-show), then wakes the sync engine. */
function statusMove(action: Action, status: Status) {
  return needs('schedule.write')
    .input(byId)
    .mutation(({ ctx, input }) => {
      const result = setStatus(ctx.backend.store(), input.id, action, status);
      ctx.backend.afterLocalWrite();
      return result;
    });
}

export const appointmentsRouter = t.router({
  list: needs('schedule.read')
    .input(z.object({}).optional())
    .query(({ ctx }) => ctx.backend.store().listAppointments()),
  /** Who and where can be booked (active, as last synced): the schedule's filters and the booking form's choices. */
  choices: needs('schedule.read').query(({ ctx }) => {
    const setup = ctx.backend.store().setup;
    return {
      practitioners: setup.practitioners().map((p) => ({ id: p.id, name: p.displayName })),
      locations: setup.locations().map((l) => ({ id: l.id, name: l.name })),
    };
  }),
  create: needs('schedule.write')
    .input(appointmentFieldsSchema)
    .mutation(({ ctx, input }) => {
      const created = ctx.backend.store().appointments.create(input);
      ctx.backend.afterLocalWrite();
      return created;
    }),
  /** New time (and optionally practitioner or location) for a booked appointment. */
  reschedule: needs('schedule.write')
    .input(rescheduleInput)
    .mutation(({ ctx, input }) => {
      const { id, ...patch } = input;
      if (Date.parse(patch.endsAt) <= Date.parse(patch.startsAt)) {
        throw new ValidationError('An appointment must end after it starts.', { endsAt: 'must be after the start' });
      }
      const store = ctx.backend.store();
      store.db.transaction(() => {
        mustBeAble(store, id, 'reschedule');
        store.appointments.update(id, Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)));
      })();
      ctx.backend.afterLocalWrite();
      return { id };
    }),
  cancel: statusMove('cancel', 'cancelled'),
  noShow: statusMove('noShow', 'no_show'),
  /**
   * The patient has arrived: the appointment becomes checked in AND the visit's encounter
   * opens, in one local transaction (both or neither reach the outbox).
   */
  checkIn: checkInProcedure
    .input(byId)
    .mutation(({ ctx, input }) => {
      const store = ctx.backend.store();
      const encounter = store.db.transaction(() => {
        const current = mustBeAble(store, input.id, 'checkIn');
        store.appointments.update(input.id, { status: 'checked_in' });
        return store.encounters.open({ patientId: current.patientId, appointmentId: input.id, practitionerId: practitionerIdNamed(store, current.practitionerName) });
      })();
      ctx.backend.afterLocalWrite();
      return { id: input.id, status: 'checked_in' as const, encounterId: encounter.id };
    }),
});
