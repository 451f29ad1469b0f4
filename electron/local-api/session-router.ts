import { signInInputSchema } from '../../shared/sync/auth.ts';
import { breakGlassEntrySchema } from '../../shared/sync/devices.ts';
import { t } from './trpc.ts';

const signInSchema = signInInputSchema.pick({ org: true, username: true, password: true });
const unlockSchema = signInInputSchema.pick({ password: true });
/** The reason follows the upload's own rule (at least 10 characters), so a logged entry always uploads. */
const breakGlassSchema = signInSchema.extend({ reason: breakGlassEntrySchema.shape.reason });

/**
 * Who is signed in, and in which org. Switching org is an ordinary sign-in to the other
 * org (password asked again): the controller opens it first and closes this org's store
 * only once it has, so a switch that fails leaves the person where they were.
 */
export const sessionRouter = t.router({
  status: t.procedure.query(({ ctx }) => ctx.backend.sessionStatus()),
  signIn: t.procedure.input(signInSchema).mutation(({ ctx, input }) => ctx.backend.signIn(input)),
  signOut: t.procedure.mutation(({ ctx }) => ctx.backend.signOut()),
  unlock: t.procedure.input(unlockSchema).mutation(({ ctx, input }) => ctx.backend.unlock(input)),
  lock: t.procedure.mutation(({ ctx }) => ctx.backend.lock()),
  breakGlass: t.procedure.input(breakGlassSchema).mutation(({ ctx, input }) => ctx.backend.breakGlass(input)),
  /** The org switcher's list: the signed-in person's orgs with a store on this workstation (names and codes; no PHI). */
  knownOrgs: t.procedure.query(({ ctx }) => ctx.backend.knownOrgs()),
});
