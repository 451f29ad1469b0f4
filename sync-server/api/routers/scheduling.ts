import {
  appointmentBookInput,
  appointmentGetInput,
  appointmentListInput,
  appointmentRescheduleInput,
  appointmentSetStatusInput,
  locationCreateInput,
  locationListInput,
  locationUpdateInput,
  scheduleListInput,
  scheduleUpsertInput,
} from '../../../shared/api/scheduling.ts';
import { authorized, router } from '../trpc.ts';

/**
 * scheduling.*: locations, practitioner schedules and the desk's appointment work. Ids a
 * caller names are put on the audit trail before the lookup, so a refused id of another
 * org is recorded too.
 */
export const schedulingRouter = router({
  locations: router({
    list: authorized('schedule.read')
      .input(locationListInput)
      .query(async ({ ctx, input }) => {
        const locations = await ctx.services.scheduling.locations.list(ctx.session.tenantId, input.includeInactive);
        ctx.audit.touched('location', locations.map((l) => l.id));
        return locations;
      }),

    create: authorized('schedule.write')
      .input(locationCreateInput)
      .mutation(async ({ ctx, input }) => {
        const location = await ctx.services.scheduling.locations.create(ctx.session.tenantId, input);
        ctx.audit.touched('location', [location.id]);
        return location;
      }),

    update: authorized('schedule.write')
      .input(locationUpdateInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('location', [input.id]);
        return ctx.services.scheduling.locations.update(ctx.session.tenantId, input);
      }),
  }),

  schedules: router({
    list: authorized('schedule.read')
      .input(scheduleListInput)
      .query(async ({ ctx, input }) => {
        const schedules = await ctx.services.scheduling.schedules.list(ctx.session.tenantId, input);
        ctx.audit.touched('practitioner_schedule', schedules.map((s) => s.id));
        return schedules;
      }),

    upsert: authorized('schedule.write')
      .input(scheduleUpsertInput)
      .mutation(async ({ ctx, input }) => {
        if (input.id !== undefined) ctx.audit.touched('practitioner_schedule', [input.id]);
        const schedule = await ctx.services.scheduling.schedules.upsert(ctx.session.tenantId, input);
        if (input.id === undefined) ctx.audit.touched('practitioner_schedule', [schedule.id]);
        return schedule;
      }),
  }),

  appointments: router({
    list: authorized('schedule.read')
      .input(appointmentListInput)
      .query(async ({ ctx, input }) => {
        const appointments = await ctx.services.scheduling.appointments.list(ctx.session.tenantId, input);
        ctx.audit.touched('appointment', appointments.map((a) => a.id));
        return appointments;
      }),

    get: authorized('schedule.read')
      .input(appointmentGetInput)
      .query(async ({ ctx, input }) => {
        ctx.audit.touched('appointment', [input.id]);
        return ctx.services.scheduling.appointments.get(ctx.session.tenantId, input.id);
      }),

    book: authorized('schedule.write')
      .input(appointmentBookInput)
      .mutation(async ({ ctx, input }) => {
        const appointment = await ctx.services.scheduling.appointments.book(ctx.session.tenantId, input);
        ctx.audit.touched('appointment', [appointment.id]);
        return appointment;
      }),

    setStatus: authorized('schedule.write')
      .input(appointmentSetStatusInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('appointment', [input.id]);
        ctx.audit.note('status', input.status);
        return ctx.services.scheduling.appointments.setStatus(ctx.session.tenantId, input.id, input.status);
      }),

    reschedule: authorized('schedule.write')
      .input(appointmentRescheduleInput)
      .mutation(async ({ ctx, input }) => {
        ctx.audit.touched('appointment', [input.id]);
        return ctx.services.scheduling.appointments.reschedule(ctx.session.tenantId, input.id, input);
      }),
  }),
});
