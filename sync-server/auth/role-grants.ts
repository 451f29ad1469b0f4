import { roleCan, ROLE_CAPABILITIES, type Capability } from '../../shared/auth/capabilities.ts';
import type { Role } from '../../shared/sync/auth.ts';

/** The capabilities that administer people and machines; nobody hands out one they lack. */
const MANAGEMENT: readonly Capability[] = ['users.manage', 'devices.manage'];

/**
 * Whether `granter` may give a member `role` (or take it away): only if the granter holds
 * every management capability that role carries, so an org admin cannot mint an IT admin
 * (devices.manage) nor demote one. Clinical roles carry none and are free to assign; every
 * grant is audited.
 */
export function mayAssignRole(granter: Role, role: Role): boolean {
  return ROLE_CAPABILITIES[role].filter((capability) => MANAGEMENT.includes(capability)).every((capability) => roleCan(granter, capability));
}
