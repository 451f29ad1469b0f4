import type { Role } from '../../shared/sync/auth.ts';
import type { OrgStore } from '../store/org-store.ts';
import type { SyncStatus } from '../sync/sync-status.ts';

export interface SessionStatus {
  state: 'signed_out' | 'signed_in';
  user: { displayName: string; role: Role } | null;
  org: { tenantId: string; name: string; code: string } | null;
  serverUrl: string;
}

/**
 * What the local API needs from the workstation. The router depends on this contract
 * only, so the same router serves IPC (Electron) and HTTP (browser-mode host).
 */
export interface LocalBackend {
  sessionStatus(): SessionStatus;
  signIn(input: { org: string; username: string; password: string }): Promise<SessionStatus>;
  signOut(): Promise<SessionStatus>;
  /** The signed-in org's store; throws STORE_LOCKED when none is open. */
  store(): OrgStore;
  /** A local write happened: let the sync engine push it soon. */
  afterLocalWrite(): void;
  syncStatus(): SyncStatus;
  /** One full cycle; failures end up in the returned status, not thrown. */
  runSync(): Promise<SyncStatus>;
}

export interface LocalContext {
  backend: LocalBackend;
}
