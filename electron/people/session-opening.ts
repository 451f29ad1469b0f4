import { AppError } from '../../shared/errors.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import type { OrgStore } from '../store/org-store.ts';
import { ActiveSession } from './active-session.ts';
import { recordBreakGlass } from './break-glass-log.ts';
import type { Clock } from './clock.ts';
import { checkLocalPassword, findLocalUser, rememberOnlineUser, type LocalUser } from './local-users.ts';
import type { OrgDirectory, OrgDirectoryEntry } from './org-directory.ts';
import type { OrgPeople } from './org-people.ts';
import { readOrgPolicy, saveOrgPolicy } from './org-policy.ts';
import { assertOfflineUnlockAllowed, onlineSignInDone } from './online-required.ts';

export interface Credentials {
  org: string;
  username: string;
  password: string;
}

/** What opening a session needs from the workstation. */
export interface OpeningDeps {
  clock: Clock;
  orgs: OrgDirectory;
  /** Who has signed in to which org here (keyed tags): the org switcher lists a person's own orgs only. */
  people: OrgPeople;
  storeExists(tenantId: string): boolean;
  /** Opens (online: creates if new) the org's store with its key from the keystore. */
  openStore(tenantId: string): Promise<OrgStore>;
}

const UNKNOWN_ORG_OFFLINE =
  'The sync server cannot be reached, and this organization has not been signed in to on this workstation before, so it cannot be opened offline.';

export const normalizeOrgCode = (org: string) => org.trim().toLowerCase();

/**
 * After any successful online sign-in: this person's verifier (for offline unlock later),
 * the org's policy, the org directory entry (code → org id, for finding the store offline),
 * and that this person uses this org here (the org switcher's list).
 */
export async function rememberOnline(deps: OpeningDeps, store: OrgStore, session: SessionInfo, credentials: Credentials): Promise<LocalUser> {
  const { userId, displayName, role, tenantId, tenantName } = session;
  await rememberOnlineUser(store, { userId, username: credentials.username, displayName, role }, credentials.password, deps.clock.now());
  store.write((db) => saveOrgPolicy(db, session.policy));
  onlineSignInDone(store);
  deps.orgs.remember(session.orgCode, { tenantId, name: tenantName });
  const typed = normalizeOrgCode(credentials.org);
  if (typed !== session.orgCode) deps.orgs.remember(typed, { tenantId, name: tenantName });
  await deps.people.record(tenantId, credentials.username);
  return findLocalUser(store.db, { userId })!;
}

/** A store opened for a session that then did not start: its background check ends with it. */
function closeUnused(store: OrgStore): void {
  store.openReport.integrity.stop();
  store.close();
}

/** An online session's store and person; the caller attaches the sync engine once it is installed. */
export async function openOnlineSession(deps: OpeningDeps, session: SessionInfo, credentials: Credentials): Promise<ActiveSession> {
  const store = await deps.openStore(session.tenantId);
  try {
    const user = await rememberOnline(deps, store, session, credentials);
    return new ActiveSession({
      tenantId: session.tenantId,
      orgCode: session.orgCode,
      orgName: session.tenantName,
      store,
      user,
      policy: session.policy,
      mode: 'online',
      sync: null,
      breakGlassEndsAt: null,
      clock: deps.clock,
    });
  } catch (error) {
    closeUnused(store);
    throw error;
  }
}

/** The org a code names on this device, with a store to open; OFFLINE when there is none. */
export function findOfflineOrg(deps: OpeningDeps, org: string): OrgDirectoryEntry & { code: string } {
  const code = normalizeOrgCode(org);
  const entry = deps.orgs.lookup(code);
  if (!entry || !deps.storeExists(entry.tenantId)) throw new AppError('OFFLINE', UNKNOWN_ORG_OFFLINE);
  return { ...entry, code };
}

/**
 * Offline unlock (no reason) or emergency access (a reason), from this device's verifier
 * and the policy saved in the store; an emergency is logged in the store before it starts.
 */
export async function openOfflineSession(
  deps: OpeningDeps,
  org: OrgDirectoryEntry & { code: string },
  credentials: Credentials,
  emergencyReason: string | null,
): Promise<ActiveSession> {
  const store = await deps.openStore(org.tenantId);
  try {
    assertOfflineUnlockAllowed(store);
    const policy = readOrgPolicy(store.db);
    const now = deps.clock.now();
    const window = emergencyReason === null ? 'enforce' : 'require_expired';
    const user = await checkLocalPassword(store, { who: { login: credentials.username }, password: credentials.password, policy, now, window });
    let endsAt: number | null = null;
    if (emergencyReason !== null) {
      endsAt = now + policy.breakGlassMinutes * 60_000;
      recordBreakGlass(store, { userId: user.userId, reason: emergencyReason, startedAt: now, expiresAt: endsAt });
    }
    // Already recorded at their online sign-in here, unless that was before the list existed.
    await deps.people.record(org.tenantId, user.login);
    return new ActiveSession({
      tenantId: org.tenantId,
      orgCode: org.code,
      orgName: org.name,
      store,
      user,
      policy,
      mode: emergencyReason === null ? 'offline' : 'break_glass',
      sync: null,
      breakGlassEndsAt: endsAt,
      clock: deps.clock,
    });
  } catch (error) {
    closeUnused(store);
    throw error;
  }
}
