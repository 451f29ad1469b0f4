import type { SessionStatus } from '../local-api/backend.ts';
import type { ActiveSession } from './active-session.ts';

/** What the local API reports about the session: who, which org, how, and whether it is locked. */
export function toSessionStatus(s: ActiveSession | null, notice: string | null, serverUrl: string): SessionStatus {
  const noticeField = notice === null ? {} : { notice };
  if (!s) return { state: 'signed_out', user: null, org: null, serverUrl, ...noticeField };
  s.applyTimeLocks();
  return {
    state: s.locked ? 'locked' : 'signed_in',
    user: { userId: s.user.userId, displayName: s.user.displayName, role: s.user.role, username: s.user.login },
    org: { tenantId: s.tenantId, name: s.orgName, code: s.orgCode },
    serverUrl,
    mode: s.mode,
    ...(s.breakGlassEndsAt === null ? {} : { breakGlassEndsAt: new Date(s.breakGlassEndsAt).toISOString() }),
    ...(s.lockReason === null ? {} : { lockReason: s.lockReason }),
    ...noticeField,
  };
}
