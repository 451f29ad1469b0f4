import type { Role } from '../../shared/sync/auth.ts';
import type { LockReason, SessionMode } from '../people/active-session.ts';
import type { KnownOrg } from '../people/known-orgs.ts';
import type { OrgStore } from '../store/org-store.ts';
import type { SyncStatus } from '../sync/sync-status.ts';
import type { PatientLinkEvidence } from '../sync/transport.ts';

export interface SessionStatus {
  /** 'locked': a session is open but hidden (idle, manual lock, emergency access ended) until unlocked. */
  state: 'signed_out' | 'signed_in' | 'locked';
  /** userId: the person's id in the org (a note's author, an order's orderer). */
  user: { userId: string; displayName: string; role: Role; username: string } | null;
  org: { tenantId: string; name: string; code: string } | null;
  serverUrl: string;
  /** Absent when signed out: signed in with the server, offline from this device, or as emergency access. */
  mode?: SessionMode;
  /** Emergency access only: when it ends (ISO 8601); then the screen locks. */
  breakGlassEndsAt?: string;
  /** Locked only: why. */
  lockReason?: LockReason;
  /** A sentence for the person at the desk: why the last session ended, or why it cannot reconnect. */
  notice?: string;
  /** Signed out on a managed workstation: the machine policy's org code, to pre-fill the sign-in form (editable). */
  managedOrg?: string;
}

/**
 * What the local API needs from the workstation. The router depends on this contract
 * only, so the same router serves IPC (Electron) and HTTP (browser-mode host).
 */
export interface LocalBackend {
  sessionStatus(): SessionStatus;
  signIn(input: { org: string; username: string; password: string }): Promise<SessionStatus>;
  signOut(): Promise<SessionStatus>;
  /** The signed-in person's orgs with a store on this workstation (the org switcher); org names and codes only. */
  knownOrgs(): Promise<KnownOrg[]>;
  /** Trades IT's one-time enrollment token for this device's credential in that org (online only). */
  enroll(input: { token: string }): Promise<{ orgCode: string; orgName: string }>;
  /** The signed-in person's password unlocks a locked session (failures count towards the lockout). */
  unlock(input: { password: string }): Promise<SessionStatus>;
  /** Emergency access while the server is away and the person's offline window has expired. */
  breakGlass(input: { org: string; username: string; password: string; reason: string }): Promise<SessionStatus>;
  /** Locks the screen now (the store stays open, sync keeps running). */
  lock(): SessionStatus;
  /**
   * Runs before every procedure (one tRPC middleware, trpc.ts): applies the idle lock,
   * refuses everything but status/unlock/sign-out while locked (STORE_LOCKED), and counts
   * the call as activity unless it is a background poll.
   */
  beforeCall(path: string): void;
  /** The signed-in org's store; throws STORE_LOCKED when none is open or the session is locked. */
  store(): OrgStore;
  /** A local write happened: let the sync engine push it soon. */
  afterLocalWrite(): void;
  syncStatus(): SyncStatus;
  /** One full cycle; failures end up in the returned status, not thrown. */
  runSync(): Promise<SyncStatus>;
  /** Links an existing patient identity on the server with this session, then pulls it (online only; patient-linking.ts). */
  linkPatient(evidence: PatientLinkEvidence): Promise<{ patientId: string }>;
}

export interface LocalContext {
  backend: LocalBackend;
}
