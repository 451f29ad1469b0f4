import { AppError, type ErrorCode } from '../../shared/errors.ts';
import type { SessionInfo } from '../../shared/sync/auth.ts';
import type { SessionStatus } from '../local-api/backend.ts';
import type { OrgStore } from '../store/org-store.ts';
import type { BackoffOptions } from '../sync/backoff.ts';
import { SIGNED_OUT_SYNC_STATUS, type SyncStatus } from '../sync/sync-status.ts';
import { lockedError, type ActiveSession, type SyncLink } from './active-session.ts';
import { BreakGlassUploader } from './break-glass-upload.ts';
import { checkLocalPassword, offlineWindowOpen } from './local-users.ts';
import { startReconnect } from './reconnect.ts';
import { ALLOWED_WHILE_LOCKED, NOT_ACTIVITY } from './session-gate.ts';
import { listKnownOrgs, type KnownOrg } from './known-orgs.ts';
import { findOfflineOrg, normalizeOrgCode, openOfflineSession, openOnlineSession, rememberOnline, type Credentials, type OpeningDeps } from './session-opening.ts';
import { switchRefused } from './switch-refused.ts';
import { toSessionStatus } from './session-status.ts';
import { isRemovalCode, type RemovalCode } from '../sync/engine.ts';
import { readSessionProof } from '../devices/session-proof.ts';
import { OfflineWindowExpiredError } from './unlock-errors.ts';
import { StoreOpenError } from '../store/store-errors.ts';

export type { Credentials };

export interface SessionControllerOptions extends OpeningDeps {
  deviceId: string;
  serverUrl: string;
  /** The one place the server is asked who someone is (sign-in, emergency access, reconnect, unlock after expiry). */
  signInOnline(credentials: Credentials): Promise<SessionInfo>;
  /** Best-effort end of a server session this workstation will not use. */
  revoke(session: SessionInfo): Promise<void>;
  /** Starts syncing the open store with an online session; `onRemoved` hears DEVICE_REVOKED / ORG_OFFBOARDED. */
  startSync(store: OrgStore, session: SessionInfo, onRemoved: (code: RemovalCode) => void): SyncLink;
  /**
   * Deletes the org's copy from this workstation (store, side files, key) and reports it.
   * Called with the store closed; `openStoreProof` is what the open store held to prove
   * this device to the server (its last session token), read before it closed.
   */
  removeOrg(org: { tenantId: string; name: string }, code: RemovalCode, openStoreProof: string | null): Promise<void>;
  reconnectBackoff: BackoffOptions;
  uploadCheckMs: number;
}

/** Server refusals that end an offline session when it tries to go back online (DEVICE_REVOKED and ORG_OFFBOARDED also wipe the org: removeOrg). */
const ENDS_SESSION: ReadonlySet<ErrorCode> = new Set([
  'INVALID_CREDENTIALS',
  'ACCOUNT_LOCKED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TENANT_UNKNOWN',
  'TENANT_SUSPENDED',
  'TENANT_MISMATCH',
  'DEVICE_NOT_ENROLLED',
]);

const isOffline = (error: unknown) => error instanceof AppError && error.code === 'OFFLINE';

/**
 * Who is signed in on this workstation, and how: at most one org store open at a time.
 *
 * - Sign-in asks the server; only when the server cannot be reached does it fall back to
 *   offline unlock from this device's verifier (org directory → org store → local user).
 * - An offline session has no server session, so it has no sync engine: local work goes
 *   on and the outbox fills, while a background online sign-in (reconnect.ts) retries
 *   with the password just typed; once it succeeds the engine starts and the outbox is
 *   pushed. Until then sync reports "offline".
 * - Emergency access is offline unlock for someone whose offline window has run out,
 *   with a logged reason and an end time.
 * - Idle or manual lock hides everything behind STORE_LOCKED; unlocking is by the same
 *   person's password, with the same failure count and lockout.
 *
 * Sign-in, sign-out, unlock, going online and close run one at a time (`serialized`), so
 * there is one session at a time and it is never half-replaced (a switch to another org
 * holds the target's store open beside the current one only until one of them closes:
 * replaceCurrent). Work running inside the queue must not call a serialized method (it
 * would wait for itself).
 */
export class SessionController {
  private readonly options: SessionControllerOptions;
  private current: ActiveSession | null = null;
  /** Why the last session ended or cannot reconnect; shown until the next sign-in. */
  private notice: string | null = null;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SessionControllerOptions) {
    this.options = options;
  }

  status(): SessionStatus {
    return toSessionStatus(this.current, this.notice, this.options.serverUrl);
  }

  currentTenantId(): string | null {
    return this.current?.tenantId ?? null;
  }

  /** The org switcher's list: the signed-in person's own orgs on this workstation (none when signed out). */
  async knownOrgs(): Promise<KnownOrg[]> {
    const s = this.current;
    if (!s) return [];
    const theirs = await this.options.people.orgsOf(s.user.login);
    return listKnownOrgs(this.options.orgs, this.options.storeExists, s.tenantId, theirs);
  }

  /**
   * Runs before every local API call (tRPC middleware): applies the idle lock and the end
   * of emergency access, refuses all but status/unlock/sign-out while locked, and counts
   * the call as activity unless it is a background poll.
   */
  beforeCall(path: string): void {
    const s = this.current;
    if (!s) return;
    s.applyTimeLocks();
    if (s.lockReason !== null && !ALLOWED_WHILE_LOCKED.has(path)) throw lockedError(s.lockReason);
    if (!NOT_ACTIVITY.has(path)) s.touch();
  }

  /** The open, unlocked session; STORE_LOCKED otherwise. */
  unlocked(): ActiveSession {
    const s = this.requireOpen();
    s.applyTimeLocks();
    if (s.lockReason !== null) throw lockedError(s.lockReason);
    return s;
  }

  signIn(credentials: Credentials): Promise<SessionStatus> {
    return this.openSession(credentials, null);
  }

  /**
   * Emergency access. If the server answers, this is simply an online sign-in (no
   * emergency, no log entry); only when it cannot be reached does the local check run,
   * and then it is allowed only for a known user, with the right password, not locked
   * out, whose offline window has expired.
   */
  breakGlass(input: Credentials & { reason: string }): Promise<SessionStatus> {
    return this.openSession(input, input.reason);
  }

  unlock(password: string): Promise<SessionStatus> {
    return this.serialized(async () => {
      const s = this.requireOpen();
      s.applyTimeLocks();
      if (s.lockReason === null) return this.status();
      const now = this.options.clock.now();
      const user = await checkLocalPassword(s.store, { who: { userId: s.user.userId }, password, policy: s.policy, now, window: 'ignore' });
      const emergencyRunning = s.mode === 'break_glass' && s.breakGlassEndsAt !== null && now < s.breakGlassEndsAt;
      if (s.mode !== 'online' && !emergencyRunning && !offlineWindowOpen(user, s.policy, now)) {
        // The password is right, but offline rights have run out: only the server can let them back in.
        const session = await this.options.signInOnline({ org: s.orgCode, username: s.user.login, password }).catch(async (error: unknown) => {
          await this.removeIfTold(error, { tenantId: s.tenantId, name: s.orgName });
          throw isOffline(error) ? new OfflineWindowExpiredError(s.policy) : error;
        });
        await this.goOnline(s, session, password);
      } else if (s.mode === 'break_glass' && !emergencyRunning) {
        s.endBreakGlass(); // over, but the ordinary offline window is open again
      }
      s.unlock();
      this.notice = null;
      if (s.mode !== 'online') this.armReconnect(s, password);
      return this.status();
    });
  }

  lock(): SessionStatus {
    this.requireOpen().lock('manual');
    return this.status();
  }

  signOut(): Promise<SessionStatus> {
    return this.serialized(async () => {
      await this.closeCurrent(true);
      this.notice = null;
      return this.status();
    });
  }

  close(): Promise<void> {
    return this.serialized(async () => {
      this.closed = true;
      await this.closeCurrent(false);
    });
  }

  syncStatus(): SyncStatus {
    const s = this.current;
    if (!s) return SIGNED_OUT_SYNC_STATUS;
    if (s.sync) return s.sync.engine.status();
    return {
      state: 'offline',
      online: false,
      pending: s.store.db.open ? s.store.pendingCount() : 0,
      lastSyncedAt: null,
      lastError: { code: 'OFFLINE', message: 'Signed in without the server: changes stay on this workstation and sync once it can be reached.' },
      bootstrap: null,
      checksums: [],
    };
  }

  afterLocalWrite(): void {
    this.current?.sync?.engine.nudge();
  }

  /** One full cycle (then any pending emergency-access log); rejects with what stopped it. */
  async syncNow(): Promise<void> {
    const s = this.requireOpen();
    if (!s.sync) throw new AppError('OFFLINE', 'Signed in without the server: there is no sync session yet.');
    await s.sync.engine.syncNow();
    await s.uploader?.afterGoodCycle();
  }

  /** The local API's "Sync now": a cycle when online; an immediate reconnect attempt when not. */
  async runSync(): Promise<SyncStatus> {
    const s = this.unlocked();
    if (!s.sync) {
      s.reconnect?.tryNow();
      return this.syncStatus();
    }
    const link = s.sync;
    await link.engine.syncNow().then(
      () => s.uploader?.afterGoodCycle(),
      () => undefined, // the failure is in the status
    );
    return link.engine.status();
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private requireOpen(): ActiveSession {
    if (!this.current) throw new AppError('STORE_LOCKED', 'Sign in to an organization first.');
    return this.current;
  }

  /** Sign-in and emergency access: the server first; this device's verifier only when it cannot be reached. */
  private openSession(credentials: Credentials, emergencyReason: string | null): Promise<SessionStatus> {
    return this.serialized(async () => {
      if (this.closed) throw new AppError('STORE_LOCKED', 'The workstation is shutting down.');
      let session: SessionInfo;
      try {
        session = await this.options.signInOnline(credentials);
      } catch (error) {
        await this.removeIfTold(error, this.options.orgs.lookup(credentials.org));
        if (!isOffline(error)) throw error;
        const leaving = this.current;
        let org: ReturnType<typeof findOfflineOrg>;
        try {
          org = findOfflineOrg(this.options, credentials.org);
        } catch (unknownHere) {
          throw leaving ? switchRefused(leaving.orgName, normalizeOrgCode(credentials.org), unknownHere) : unknownHere;
        }
        const s = await this.replaceCurrent(org, () => openOfflineSession(this.options, org, credentials, emergencyReason));
        this.armReconnect(s, credentials.password);
        return this.status();
      }
      const target = { tenantId: session.tenantId, name: session.tenantName };
      const s = await this.replaceCurrent(target, () =>
        openOnlineSession(this.options, session, credentials).catch(async (error: unknown) => {
          await this.options.revoke(session); // the store did not open: the server session would only dangle
          throw error;
        }),
      );
      this.attachSync(s, session);
      return this.status();
    });
  }

  /**
   * Opens the target org's session in place of the current one. Another org's store opens
   * BESIDE the current one, which closes only once the target has opened: if it does not
   * (wrong password offline, never signed in there, its copy damaged), the person stays
   * signed in where they were and the refusal says so. The same org again closes first
   * (its store is the one open, and a store has one connection). (Runs in the queue.)
   */
  private async replaceCurrent(target: { tenantId: string; name: string }, open: () => Promise<ActiveSession>): Promise<ActiveSession> {
    const leaving = this.current;
    if (!leaving || leaving.tenantId === target.tenantId) {
      await this.closeCurrent(true);
      const s = await open();
      this.install(s);
      return s;
    }
    const s = await open().catch((error: unknown) => {
      throw switchRefused(leaving.orgName, target.name, error);
    });
    await this.closeCurrent(true);
    this.install(s);
    return s;
  }

  private install(s: ActiveSession): void {
    this.current = s;
    this.notice = null;
    s.onLock = () => {
      // A locked screen keeps no password in memory; unlocking re-arms the reconnect.
      s.reconnect?.stop();
      s.reconnect = null;
    };
    this.watchIntegrity(s);
  }

  /**
   * The store's full-page check runs in the background (store-integrity.ts), so sign-in
   * does not wait for it. If it finds the store damaged, the session ends at once: no
   * further reads or writes on that copy, the sync engine stopped, and the sign-in screen
   * says the local copy is damaged (the next open refuses it before anything is written).
   */
  private watchIntegrity(s: ActiveSession): void {
    void s.store.openReport.integrity.verdict.then((verdict) => {
      if (verdict !== 'damaged') return;
      return this.serialized(async () => {
        if (this.current !== s) return;
        await this.closeCurrent(true);
        this.notice = new StoreOpenError('damaged').message;
      });
    });
  }

  private attachSync(s: ActiveSession, session: SessionInfo): void {
    // Deferred into the queue: the engine's cycle that reported it must finish before the store can close.
    const onRemoved = (code: RemovalCode) => void this.serialized(() => (this.current === s ? this.removeOrg({ tenantId: s.tenantId, name: s.orgName }, code) : Promise.resolve()));
    s.becameOnline(this.options.startSync(s.store, session, onRemoved), session.policy, s.user);
    s.uploader = new BreakGlassUploader({ store: s.store, link: s.sync!, deviceId: this.options.deviceId, clock: this.options.clock, checkEveryMs: this.options.uploadCheckMs });
    s.uploader.start();
  }

  private armReconnect(s: ActiveSession, password: string): void {
    s.reconnect?.stop();
    s.reconnect = startReconnect(password, {
      clock: this.options.clock,
      backoff: this.options.reconnectBackoff,
      attempt: async (held) => {
        const session = await this.options.signInOnline({ org: s.orgCode, username: s.user.login, password: held });
        await this.serialized(() => this.goOnline(s, session, held));
      },
      onRefused: (error) => void this.serialized(() => this.reconnectRefused(s, error)),
    });
  }

  /** The server accepted the person again: refresh what offline unlock needs and start syncing. (Runs in the queue.) */
  private async goOnline(s: ActiveSession, session: SessionInfo, password: string): Promise<void> {
    if (this.current !== s || s.mode === 'online' || this.closed) {
      await this.options.revoke(session);
      return;
    }
    if (session.tenantId !== s.tenantId || session.userId !== s.user.userId) {
      await this.options.revoke(session);
      throw new AppError('UNAUTHENTICATED', 'The server now knows this username as someone else.');
    }
    s.user = await rememberOnline(this.options, s.store, session, { org: s.orgCode, username: s.user.login, password });
    this.attachSync(s, session);
    this.notice = null;
  }

  /** (Runs in the queue.) */
  private async reconnectRefused(s: ActiveSession, error: AppError): Promise<void> {
    if (this.current !== s) return;
    if (isRemovalCode(error.code)) {
      await this.removeOrg({ tenantId: s.tenantId, name: s.orgName }, error.code);
    } else if (ENDS_SESSION.has(error.code)) {
      await this.closeCurrent(false);
      this.notice = `You were signed out: when the server could be reached again, it did not accept this session. ${error.message}`;
    } else {
      this.notice = `This workstation could not reconnect to the server, so work stays on this workstation for now. ${error.message}`;
    }
  }

  /** When the server said this device may no longer hold the org: wipe it. (Runs in the queue.) */
  private async removeIfTold(error: unknown, org: { tenantId: string; name: string } | null): Promise<void> {
    if (org && error instanceof AppError && isRemovalCode(error.code)) await this.removeOrg(org, error.code);
  }

  /**
   * Closes the org's session if it is the open one (keeping its proof for the report),
   * then has the workstation delete the org's copy. (Runs in the queue.)
   */
  private async removeOrg(org: { tenantId: string; name: string }, code: RemovalCode): Promise<void> {
    let proof: string | null = null;
    if (this.current?.tenantId === org.tenantId) {
      proof = readSessionProof(this.current.store.db);
      await this.closeCurrent(false);
    }
    await this.options.removeOrg(org, code, proof);
    this.notice =
      code === 'DEVICE_REVOKED'
        ? `Your IT team removed this workstation from ${org.name}, so its data was deleted from this workstation.`
        : `${org.name} has left Clinicsync, so its data was deleted from this workstation.`;
  }

  /** (Runs in the queue.) */
  private async closeCurrent(revokeServerSession: boolean): Promise<void> {
    const s = this.current;
    if (!s) return;
    this.current = null;
    s.store.openReport.integrity.stop(); // a check still reading ends with the store; the next open checks again
    await s.close(revokeServerSession);
  }
}
