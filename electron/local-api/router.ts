import { z } from 'zod';
import { AppError } from '../../shared/errors.ts';
import { appointmentFieldsSchema } from '../../shared/entities/appointment.ts';
import { patientFieldsSchema } from '../../shared/entities/patient.ts';
import { signInInputSchema } from '../../shared/sync/auth.ts';
import { breakGlassEntrySchema, enrollmentTokenSchema } from '../../shared/sync/devices.ts';
import { scheduleRouter } from './schedule-router.ts';
import { clinicalRouter } from './clinical-router.ts';
import { t } from './trpc.ts';

const signInSchema = signInInputSchema.pick({ org: true, username: true, password: true });
const unlockSchema = signInInputSchema.pick({ password: true });
/** The reason follows the upload's own rule (at least 10 characters), so a logged entry always uploads. */
const breakGlassSchema = signInSchema.extend({ reason: breakGlassEntrySchema.shape.reason });
const conflictListSchema = z.object({ open: z.boolean().optional() }).optional();
const conflictResolveSchema = z.object({ id: z.number().int().positive(), keep: z.enum(['winner', 'loser']) });
const patientListSchema = z
  .object({ search: z.string().max(100).optional(), limit: z.number().int().min(1).max(500).optional() })
  .optional();

/** Everything here reads and writes the local store only, so it all works offline. */
export const localApiRouter = t.router({
  session: t.router({
    status: t.procedure.query(({ ctx }) => ctx.backend.sessionStatus()),
    signIn: t.procedure.input(signInSchema).mutation(({ ctx, input }) => ctx.backend.signIn(input)),
    signOut: t.procedure.mutation(({ ctx }) => ctx.backend.signOut()),
    unlock: t.procedure.input(unlockSchema).mutation(({ ctx, input }) => ctx.backend.unlock(input)),
    lock: t.procedure.mutation(({ ctx }) => ctx.backend.lock()),
    breakGlass: t.procedure.input(breakGlassSchema).mutation(({ ctx, input }) => ctx.backend.breakGlass(input)),
  }),
  device: t.router({
    /** IT's one-time token (clinicsync-server device enroll-token) for this workstation; needs the server. */
    enroll: t.procedure.input(z.object({ token: enrollmentTokenSchema })).mutation(({ ctx, input }) => ctx.backend.enroll(input)),
  }),
  patients: t.router({
    list: t.procedure.input(patientListSchema).query(({ ctx, input }) => ctx.backend.store().listPatients({ search: input?.search, limit: input?.limit })),
    create: t.procedure.input(patientFieldsSchema).mutation(({ ctx, input }) => {
      const created = ctx.backend.store().patients.create(input);
      ctx.backend.afterLocalWrite();
      return created;
    }),
  }),
  appointments: t.router({
    list: t.procedure.input(z.object({}).optional()).query(({ ctx }) => ctx.backend.store().listAppointments()),
    create: t.procedure.input(appointmentFieldsSchema).mutation(({ ctx, input }) => {
      const created = ctx.backend.store().appointments.create(input);
      ctx.backend.afterLocalWrite();
      return created;
    }),
  }),
  /** The desk's day/week schedule with free slots (schedule-router.ts). */
  schedule: scheduleRouter,
  /** Chart, my day, encounters, notes and orders, each behind its capability. */
  clinical: clinicalRouter,
  sync: t.router({
    status: t.procedure.query(({ ctx }) => ctx.backend.syncStatus()),
    now: t.procedure.mutation(({ ctx }) => ctx.backend.runSync()),
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
