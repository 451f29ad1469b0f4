import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

/**
 * The org's practitioners as last synced (set up online by admins, read-only here). A user
 * account is not linked to a practitioner record, so screens that work "as a practitioner"
 * (My day) let the person pick one from this list. Staff names are not patient data.
 */
export const staffRouter = t.router({
  practitioners: needs('personnel.read').query(({ ctx }) =>
    ctx.backend
      .store()
      .setup.practitioners()
      .map((p) => ({ id: p.id, displayName: p.displayName })),
  ),
});
