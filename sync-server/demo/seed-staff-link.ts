import type { Services } from '../services.ts';
import { FAKE_PRACTITIONERS } from './fake-names.ts';

/** The demo user whose staff record My day opens on, and the practitioner that record is. */
export const DEMO_LINKED_LOGIN = 'clinician';
export const DEMO_LINKED_PRACTITIONER: string = FAKE_PRACTITIONERS[0];

/**
 * Links the demo clinician's account to a seeded practitioner, through the same service an
 * admin's staff.update uses (so the link reaches workstations in the personnel feed).
 * Idempotent: nothing is written once any staff record links that account, or when the
 * practitioner is linked to someone else already (an admin's choice is left alone).
 * Returns whether it linked.
 */
export async function linkDemoClinician(services: Services, tenantId: string): Promise<boolean> {
  const member = await services.accounts.memberByLogin(tenantId, DEMO_LINKED_LOGIN);
  if (!member) return false;
  const staff = await services.personnel.list(tenantId, { includeInactive: true, practitionersOnly: false });
  if (staff.some((s) => s.userId === member.userId)) return false;
  const practitioner = staff.find((s) => s.displayName === DEMO_LINKED_PRACTITIONER);
  if (!practitioner || practitioner.userId !== null) return false;
  await services.personnel.update(tenantId, { id: practitioner.id, userId: member.userId });
  return true;
}
