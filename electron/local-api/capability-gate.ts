import { CAPABILITIES, roleCan, type Capability } from '../../shared/auth/capabilities.ts';
import { AppError } from '../../shared/errors.ts';
import { t } from './trpc.ts';

/**
 * A procedure that needs one capability (shared/auth/capabilities.ts), checked after the
 * session gate, so a locked screen still answers STORE_LOCKED first and a role is never
 * tested by name. (clinical-router.ts has its own copy of this; it can move here.)
 */
export function needs(capability: Capability) {
  return t.procedure.use(({ ctx, next }) => {
    const user = ctx.backend.sessionStatus().user;
    if (!user) throw new AppError('STORE_LOCKED', 'Sign in first.');
    if (!roleCan(user.role, capability)) {
      throw new AppError('FORBIDDEN', `Your role (${user.role.replace('_', ' ')}) may not ${CAPABILITIES[capability]}.`);
    }
    return next({ ctx: { user } });
  });
}
