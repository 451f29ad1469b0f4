import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { enrollmentTokenSchema } from '../../shared/sync/devices.ts';
import { appointmentsRouter } from './appointments-router.ts';
import { scheduleRouter } from './schedule-router.ts';
import { patientsRouter } from './patients-router.ts';
import { clinicalRouter } from './clinical-router.ts';
import { sessionRouter } from './session-router.ts';
import { clinicalViewsRouter } from './clinical-views-router.ts';
import { staffRouter } from './staff-router.ts';
import { t } from './trpc.ts';

const conflictListSchema = z.object({ open: z.boolean().optional() }).optional();
const conflictResolveSchema = z.object({ id: z.number().int().positive(), keep: z.enum(['winner', 'loser']) });

/** Everything here reads and writes the local store only, so it all works offline. */
export const localApiRouter = t.router({
  session: sessionRouter,
  device: t.router({
    /** IT's one-time token (clinicsync-server device enroll-token) for this workstation; needs the server. */
    enroll: t.procedure.input(z.object({ token: enrollmentTokenSchema })).mutation(({ ctx, input }) => ctx.backend.enroll(input)),
  }),
  /** Search, registration, duplicate check and linking an existing identity (patients-router.ts). */
  patients: patientsRouter,
  /** List, book, reschedule, cancel, no-show, check in (appointments-router.ts). */
  appointments: appointmentsRouter,
  /** The desk's day/week schedule with free slots (schedule-router.ts). */
  schedule: scheduleRouter,
  /** Chart, my day, encounters, notes and orders, each behind its capability. */
  clinical: clinicalRouter,
  /** The chart header, My day's patients and one encounter with its notes and orders. */
  clinicalViews: clinicalViewsRouter,
  /** The synced practitioners (My day picks one: users are not linked to staff records). */
  staff: staffRouter,
  sync: t.router({
    status: t.procedure.query(({ ctx }) => ctx.backend.syncStatus()),
    now: t.procedure.mutation(({ ctx }) => ctx.backend.runSync()),
    /** Open double-booked slots (shown and resolved on the schedule); the Sync centre shows how many. */
    bookingConflicts: t.router({
      count: t.procedure.query(({ ctx }) => ctx.backend.store().setup.bookingConflicts().length),
    }),
    /** The conflict log: values that lost a merge, and what a person decided about them. */
    conflicts: t.router({
      list: t.procedure.input(conflictListSchema).query(({ ctx, input }) => ctx.backend.store().conflicts({ open: input?.open === true })),
      /** 'loser' writes the lost value back as a new edit (pushed like any other); only roles that may write the record. */
      resolve: t.procedure.input(conflictResolveSchema).mutation(({ ctx, input }) => {
        const user = ctx.backend.sessionStatus().user;
        if (!user) throw new AppError('STORE_LOCKED', 'Sign in first.');
        const resolved = ctx.backend.store().resolveConflict(input, { role: user.role, by: user.username });
        if (input.keep === 'loser') ctx.backend.afterLocalWrite();
        return resolved;
      }),
    }),
  }),
});

export type LocalApiRouter = typeof localApiRouter;
export const createLocalApiCaller = t.createCallerFactory(localApiRouter);
export type LocalApiCaller = ReturnType<typeof createLocalApiCaller>;
