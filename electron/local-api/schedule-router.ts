import { z } from 'zod';
import { isoDate } from '../../shared/entities/patient.ts';
import { AppError } from '../../shared/errors.ts';
import { idSchema } from '../../shared/ids.ts';
import type { OrgStore } from '../store/org-store.ts';
import { scheduleView, type ScheduleView, type ScheduleViewQuery } from '../store/schedule-view.ts';
import { t } from './trpc.ts';

const filters = { practitionerId: idSchema.optional(), locationId: idSchema.optional() };
const dayInput = z.object({ date: isoDate, ...filters });
const weekInput = z.object({ weekStart: isoDate, ...filters });

/**
 * An unknown id is a mistake worth saying (a stale picker, a practitioner not synced yet),
 * not an empty schedule the desk would read as "nobody works today".
 */
function viewOf(store: OrgStore, query: ScheduleViewQuery): ScheduleView {
  if (query.practitionerId !== undefined && !store.setup.practitioners({ includeInactive: true }).some((p) => p.id === query.practitionerId)) {
    throw new AppError('NOT_FOUND', 'No such practitioner on this workstation (it may not have synced yet).');
  }
  if (query.locationId !== undefined && !store.setup.locations({ includeInactive: true }).some((l) => l.id === query.locationId)) {
    throw new AppError('NOT_FOUND', 'No such location on this workstation (it may not have synced yet).');
  }
  // The practice profile carries no time zone yet: the clinic's days are UTC days (the view says so).
  return scheduleView(store.db, query);
}

/** The desk's day and week schedule with free slots, from the local store (works offline). */
export const scheduleRouter = t.router({
  day: t.procedure.input(dayInput).query(({ ctx, input }) =>
    viewOf(ctx.backend.store(), { from: input.date, days: 1, practitionerId: input.practitionerId, locationId: input.locationId }),
  ),
  week: t.procedure.input(weekInput).query(({ ctx, input }) =>
    viewOf(ctx.backend.store(), { from: input.weekStart, days: 7, practitionerId: input.practitionerId, locationId: input.locationId }),
  ),
});
