import type { SessionStatus } from '../local-api/backend.ts';

/**
 * The machine policy's `org` on the signed-out session status, so the sign-in screen starts
 * with it filled in. Only a starting value: the field stays editable, because a person who
 * works for several orgs may sign in to another one at a workstation managed for one
 * (the policy's org then only decides where the enrollment token is redeemed).
 */
export function withManagedOrg(status: SessionStatus, org: string | undefined): SessionStatus {
  return status.state === 'signed_out' && org !== undefined ? { ...status, managedOrg: org } : status;
}
