import { z } from 'zod';
import { idSchema } from '../../shared/ids.ts';
import { needs } from './capability-gate.ts';
import { t } from './trpc.ts';

/**
 * The org's staff as last synced (set up online by admins, read-only here). A staff record
 * may be linked to a sign-in account (staff_member.userId): that is how My day knows the
 * signed-in person's own practitioner, and how a note's author id reads as a name. Staff
 * names are not patient data; account ids are opaque, and no login or role leaves here.
 */
export const staffRouter = t.router({
  /** Active practitioners by name; `linkedToYou` marks the signed-in user's own record (My day opens on it). */
  practitioners: needs('personnel.read').query(({ ctx }) =>
    ctx.backend
      .store()
      .setup.practitioners()
      .map((p) => ({ id: p.id, displayName: p.displayName, linkedToYou: p.userId !== null && p.userId === ctx.user.userId })),
  ),
  /**
   * The names of the staff records linked to these accounts (note authors). Inactive staff
   * count too: a clinician who left still wrote their notes. An id no record links to is
   * left out, and the screen says "another clinician" for it.
   */
  authorNames: needs('personnel.read')
    .input(z.strictObject({ userIds: z.array(idSchema).max(200) }))
    .query(({ ctx, input }) => {
      const linked = ctx.backend.store().setup.staff({ includeInactive: true, linkedTo: [...new Set(input.userIds)] });
      // Two records may name one account for a moment while their changes arrive; the first by name answers.
      const names = new Map<string, string>();
      for (const staff of linked) if (staff.userId !== null && !names.has(staff.userId)) names.set(staff.userId, staff.displayName);
      return [...names].map(([userId, displayName]) => ({ userId, displayName }));
    }),
});
