import { AppError } from '../../shared/errors.ts';
import type { OrgPolicy } from '../../shared/sync/auth.ts';
import type { OrgStore } from '../store/org-store.ts';
import type { SyncEngine } from '../sync/engine.ts';
import type { SyncTransport } from '../sync/transport.ts';
import type { BreakGlassUploader } from './break-glass-upload.ts';
import type { Clock } from './clock.ts';
import type { LocalUser } from './local-users.ts';
import type { ReconnectHandle } from './reconnect.ts';

/** How the session was opened: with the server, offline from this device's verifier, or as emergency access. */
export type SessionMode = 'online' | 'offline' | 'break_glass';
export type LockReason = 'idle' | 'manual' | 'break_glass_ended';

/** The open org's connection to the server; only an online session has one. */
export interface SyncLink {
  engine: SyncEngine;
  transport: SyncTransport;
}

/** How long sign-out waits for the server to revoke the session before going on offline. */
const SIGN_OUT_GRACE_MS = 3_000;

const LOCKED_MESSAGES: Record<LockReason, string> = {
  idle: 'The screen locked after a while without activity. Enter your password to unlock.',
  manual: 'The screen is locked. Enter your password to unlock.',
  break_glass_ended: 'Emergency access has ended, so the screen is locked. Unlock once the server can be reached, or sign out.',
};

export function lockedError(reason: LockReason): AppError {
  return new AppError('STORE_LOCKED', LOCKED_MESSAGES[reason]);
}

/**
 * One signed-in person in one open org store, with the timers that can lock it: the idle
 * lock (policy.idleLockMinutes after the last activity) and, for emergency access, its
 * end. Locking hides everything behind STORE_LOCKED but keeps the store open and the sync
 * engine running: the data stays fresh for when the person comes back, and a locked
 * screen shows nothing either way.
 */
export class ActiveSession {
  readonly tenantId: string;
  readonly orgCode: string;
  readonly orgName: string;
  readonly store: OrgStore;
  user: LocalUser;
  policy: OrgPolicy;
  mode: SessionMode;
  sync: SyncLink | null;
  breakGlassEndsAt: number | null;
  lockReason: LockReason | null = null;
  /** Offline and emergency sessions: the background online sign-in, while the screen is unlocked. */
  reconnect: ReconnectHandle | null = null;
  /** Online sessions: sends emergency-access log entries after good sync cycles. */
  uploader: BreakGlassUploader | null = null;
  private lastActivity: number;
  private readonly clock: Clock;
  private cancelIdleTimer: (() => void) | null = null;
  private cancelBreakGlassTimer: (() => void) | null = null;
  private disposed = false;

  constructor(init: {
    tenantId: string;
    orgCode: string;
    orgName: string;
    store: OrgStore;
    user: LocalUser;
    policy: OrgPolicy;
    mode: SessionMode;
    sync: SyncLink | null;
    breakGlassEndsAt: number | null;
    clock: Clock;
  }) {
    this.tenantId = init.tenantId;
    this.orgCode = init.orgCode;
    this.orgName = init.orgName;
    this.store = init.store;
    this.user = init.user;
    this.policy = init.policy;
    this.mode = init.mode;
    this.sync = init.sync;
    this.breakGlassEndsAt = init.breakGlassEndsAt;
    this.clock = init.clock;
    this.lastActivity = init.clock.now();
    this.armIdleTimer();
    this.armBreakGlassTimer();
  }

  get locked(): boolean {
    return this.lockReason !== null;
  }

  /** A person did something: the idle lock starts counting again (not while locked). */
  touch(): void {
    if (!this.locked) this.lastActivity = this.clock.now();
  }

  /**
   * Applies the time-based locks now. The timers normally do this; checking again on each
   * call also covers timers that fired late (a suspended laptop, a busy event loop).
   */
  applyTimeLocks(): void {
    if (this.disposed || this.locked) return;
    const now = this.clock.now();
    if (this.mode === 'break_glass' && this.breakGlassEndsAt !== null && now >= this.breakGlassEndsAt) this.lock('break_glass_ended');
    else if (now - this.lastActivity >= this.idleMs()) this.lock('idle');
  }

  lock(reason: LockReason): void {
    if (this.disposed || this.locked) return;
    this.lockReason = reason;
    this.cancelIdleTimer?.();
    this.cancelIdleTimer = null;
    this.onLock?.();
  }

  unlock(): void {
    if (this.disposed) return;
    this.lockReason = null;
    this.lastActivity = this.clock.now();
    this.armIdleTimer();
  }

  /** Set by the controller: what else stops when the screen locks (the reconnect attempts). */
  onLock: (() => void) | null = null;

  /** The emergency is over (an online session took over) or the rules changed: re-plan the timers. */
  becameOnline(sync: SyncLink, policy: OrgPolicy, user: LocalUser): void {
    this.sync = sync;
    this.policy = policy;
    this.user = user;
    this.mode = 'online';
    this.breakGlassEndsAt = null;
    this.cancelBreakGlassTimer?.();
    this.cancelBreakGlassTimer = null;
    if (!this.locked) this.armIdleTimer();
  }

  endBreakGlass(): void {
    this.mode = 'offline';
    this.breakGlassEndsAt = null;
    this.cancelBreakGlassTimer?.();
    this.cancelBreakGlassTimer = null;
  }

  dispose(): void {
    this.disposed = true;
    this.cancelIdleTimer?.();
    this.cancelBreakGlassTimer?.();
    this.cancelIdleTimer = this.cancelBreakGlassTimer = null;
    this.onLock = null;
    this.reconnect?.stop(); // drops the held password
    this.reconnect = null;
  }

  /**
   * Ends the session: timers and reconnect first, then the upload and the sync engine
   * (waiting for what is in flight), the server session if asked, and the store last.
   */
  async close(revokeServerSession: boolean): Promise<void> {
    this.dispose();
    await this.uploader?.stop();
    if (this.sync) {
      await this.sync.engine.stop();
      if (revokeServerSession) await this.sync.transport.signOut(AbortSignal.timeout(SIGN_OUT_GRACE_MS)).catch(() => undefined);
      await this.sync.transport.close();
    }
    this.store.close();
  }

  private idleMs(): number {
    return this.policy.idleLockMinutes * 60_000;
  }

  /** One timer at a time, set for when the idle time would run out; activity just moves the goal. */
  private armIdleTimer(): void {
    this.cancelIdleTimer?.();
    const wait = Math.max(0, this.lastActivity + this.idleMs() - this.clock.now());
    this.cancelIdleTimer = this.clock.setTimer(() => {
      this.cancelIdleTimer = null;
      if (this.disposed || this.locked) return;
      if (this.clock.now() - this.lastActivity >= this.idleMs()) this.lock('idle');
      else this.armIdleTimer();
    }, wait);
  }

  private armBreakGlassTimer(): void {
    if (this.breakGlassEndsAt === null) return;
    this.cancelBreakGlassTimer = this.clock.setTimer(() => {
      this.cancelBreakGlassTimer = null;
      this.applyTimeLocks();
    }, Math.max(0, this.breakGlassEndsAt - this.clock.now()));
  }
}
