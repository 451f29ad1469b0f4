import { ROLES, type OrgPolicy, type Role } from '../../shared/sync/auth.ts';
import type { Db } from '../store/db.ts';
import type { OrgStore } from '../store/org-store.ts';

/** Writes go through the store's `write`, so they count for restored-copy detection (a copy put back to undo a lockout is caught). */
type StoreWriter = Pick<OrgStore, 'db' | 'write'>;
import { breakGlassNotNeeded, invalidCredentials, lockedOut, OfflineWindowExpiredError } from './unlock-errors.ts';
import { burnOneCheck, createVerifier, verifyPassword } from './verifier.ts';

/** A person who signed in online on this device, as the store remembers them. */
export interface LocalUser {
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  lastOnlineAt: string;
}

interface Row {
  user_id: string;
  login: string;
  display_name: string;
  role: string;
  verifier: string;
  last_online_at: string;
  failed_attempts: number;
  locked_until: string | null;
}

const DAY_MS = 86_400_000;

/** Same rule as the server's sign-in namespace: trimmed, case-insensitive. */
export function normalizeLogin(username: string): string {
  return username.trim().toLowerCase();
}

function toUser(row: Row): LocalUser {
  const role = (ROLES as readonly string[]).includes(row.role) ? (row.role as Role) : 'front_desk';
  return { userId: row.user_id, login: row.login, displayName: row.display_name, role, lastOnlineAt: row.last_online_at };
}

function findRow(db: Db, who: { login: string } | { userId: string }): Row | undefined {
  return 'login' in who
    ? db.prepare<[string], Row>('SELECT * FROM local_users WHERE login = ?').get(normalizeLogin(who.login))
    : db.prepare<[string], Row>('SELECT * FROM local_users WHERE user_id = ?').get(who.userId);
}

export function findLocalUser(db: Db, who: { login: string } | { userId: string }): LocalUser | null {
  const row = findRow(db, who);
  return row ? toUser(row) : null;
}

/**
 * After an ONLINE sign-in: remember (or refresh) the person for offline unlock, with a new
 * verifier of the password they just used, and clear their wrong-password count and
 * lockout (the server has just vouched for them).
 */
export async function rememberOnlineUser(
  store: StoreWriter,
  user: { userId: string; username: string; displayName: string; role: Role },
  password: string,
  now: number,
): Promise<void> {
  const verifier = await createVerifier(password); // before the transaction: it takes ~150 ms
  const login = normalizeLogin(user.username);
  store.write((db) => {
    // The login may have belonged to another account since (deleted and re-created on the server).
    db.prepare('DELETE FROM local_users WHERE login = ? AND user_id <> ?').run(login, user.userId);
    db.prepare(
      `INSERT INTO local_users (user_id, login, display_name, role, verifier, last_online_at, failed_attempts, locked_until)
       VALUES (?, ?, ?, ?, ?, ?, 0, NULL)
       ON CONFLICT (user_id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name, role = excluded.role,
         verifier = excluded.verifier, last_online_at = excluded.last_online_at, failed_attempts = 0, locked_until = NULL`,
    ).run(user.userId, login, user.displayName, user.role, verifier, new Date(now).toISOString());
  });
}

/**
 * What the offline window means for this check:
 * - 'enforce': offline sign-in or unlock; refused once the window has passed.
 * - 'require_expired': emergency access; allowed ONLY once the window has passed.
 * - 'ignore': unlocking a screen of a session that is itself within its rights (online, or
 *   emergency access still running).
 */
export type OfflineWindowRule = 'enforce' | 'require_expired' | 'ignore';

export interface LocalPasswordCheck {
  /** By login at sign-in; by user id when unlocking the signed-in person's screen. */
  who: { login: string } | { userId: string };
  password: string;
  policy: OrgPolicy;
  now: number;
  window: OfflineWindowRule;
}

/**
 * Whether the last online sign-in here is recent enough for offline access. A last sign-in
 * more than a day in the FUTURE means the device clock was turned back, which must not
 * stretch the window, so it counts as expired.
 */
export function offlineWindowOpen(user: { lastOnlineAt: string }, policy: OrgPolicy, now: number): boolean {
  if (policy.offlineUnlockDays === 0) return false;
  const last = Date.parse(user.lastOnlineAt);
  return Number.isFinite(last) && now - last <= policy.offlineUnlockDays * DAY_MS && last - now <= DAY_MS;
}

/**
 * Checks a password against this device's verifier, in this order: lockout (no guessing
 * while locked out), password (a wrong one counts towards the lockout; an unknown user
 * costs the same time and gets the same answer), then the offline window (only someone
 * who knows the password learns that it expired). Counters live in the store, so
 * restarting the app resets nothing.
 */
export async function checkLocalPassword(store: StoreWriter, check: LocalPasswordCheck): Promise<LocalUser> {
  const { policy, now } = check;
  const context = 'login' in check.who ? 'sign_in' : 'unlock';
  const row = findRow(store.db, check.who);
  if (!row) {
    await burnOneCheck(check.password);
    throw invalidCredentials(context);
  }
  const lockedUntil = row.locked_until === null ? NaN : Date.parse(row.locked_until);
  if (lockedUntil > now) throw lockedOut(lockedUntil, now);

  if (!(await verifyPassword(check.password, row.verifier))) {
    const lockedUntilNow = countFailure(store, row.user_id, policy, now);
    throw lockedUntilNow === null ? invalidCredentials(context) : lockedOut(lockedUntilNow, now);
  }
  if (row.failed_attempts > 0 || row.locked_until !== null) clearFailures(store, row.user_id);
  const user = toUser(row);
  const open = offlineWindowOpen(user, policy, now);
  if (check.window === 'enforce' && !open) throw new OfflineWindowExpiredError(policy);
  if (check.window === 'require_expired' && open) throw breakGlassNotNeeded();
  return user;
}

/** One more wrong password; at the policy's limit the user is locked out. Returns the lockout end, if it began now. */
function countFailure(store: StoreWriter, userId: string, policy: OrgPolicy, now: number): number | null {
  return store.write((db) => {
    // A lockout that has run out starts a fresh count.
    db.prepare('UPDATE local_users SET failed_attempts = failed_attempts + 1, locked_until = NULL WHERE user_id = ?').run(userId);
    const { failed_attempts: failures } = db.prepare<[string], { failed_attempts: number }>('SELECT failed_attempts FROM local_users WHERE user_id = ?').get(userId)!;
    if (failures < policy.maxUnlockFailures) return null;
    const until = now + policy.lockoutMinutes * 60_000;
    db.prepare('UPDATE local_users SET failed_attempts = 0, locked_until = ? WHERE user_id = ?').run(new Date(until).toISOString(), userId);
    return until;
  });
}

function clearFailures(store: StoreWriter, userId: string): void {
  store.write((db) => db.prepare('UPDATE local_users SET failed_attempts = 0, locked_until = NULL WHERE user_id = ?').run(userId));
}
