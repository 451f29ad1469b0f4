import type { OrgPolicy, SessionInfo } from '../../shared/sync/auth.ts';
import { readOrgPolicy, saveOrgPolicy } from '../people/org-policy.ts';
import type { OrgStore } from '../store/org-store.ts';

/**
 * The idle lock is the stricter (shorter) of the org's own policy, which the server sends
 * with every session, and the machine policy's `idleLockMinutes`. Neither side can relax
 * the other: a clinic's IT can shorten the lock on an exposed front-desk machine, and an
 * org's admin can still shorten it for every machine.
 */
export function stricterIdleLock<P extends Pick<OrgPolicy, 'idleLockMinutes'>>(policy: P, machineMinutes: number | undefined): P {
  if (machineMinutes === undefined || machineMinutes >= policy.idleLockMinutes) return policy;
  return { ...policy, idleLockMinutes: machineMinutes };
}

/** A session from the server with the machine's cap applied (what the workstation enforces, and saves for offline use). */
export function sessionWithMachineIdleLock(session: SessionInfo, machineMinutes: number | undefined): SessionInfo {
  const policy = stricterIdleLock(session.policy, machineMinutes);
  return policy === session.policy ? session : { ...session, policy };
}

/**
 * An opened store whose saved policy (what offline sessions enforce) is brought under the
 * machine's cap. The save after each online sign-in already carries the cap; this covers a
 * machine policy tightened since then, so an offline session never runs a longer idle time.
 */
export function storeWithMachineIdleLock(store: OrgStore, machineMinutes: number | undefined): OrgStore {
  if (machineMinutes === undefined) return store;
  const saved = readOrgPolicy(store.db);
  const capped = stricterIdleLock(saved, machineMinutes);
  if (capped !== saved) store.write((db) => saveOrgPolicy(db, capped));
  return store;
}
