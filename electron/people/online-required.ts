import { AppError } from '../../shared/errors.ts';
import type { OrgStore } from '../store/org-store.ts';
import { readMeta } from '../store/meta.ts';

/**
 * Set when the store was an older copy put back over the current one (restored-copy
 * recovery): its offline-unlock verifiers and lockout counters are as old as the copy, so
 * they may not be trusted for offline unlock until the server has vouched for someone
 * again. Cleared by the next online sign-in.
 */
const ONLINE_SIGN_IN_REQUIRED = 'online_sign_in_required';

export function requireOnlineSignIn(store: Pick<OrgStore, 'write'>): void {
  store.write((db) => db.prepare("INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run(ONLINE_SIGN_IN_REQUIRED));
}

export function onlineSignInDone(store: Pick<OrgStore, 'db' | 'write'>): void {
  if (readMeta(store.db, ONLINE_SIGN_IN_REQUIRED) === undefined) return;
  store.write((db) => db.prepare('DELETE FROM meta WHERE key = ?').run(ONLINE_SIGN_IN_REQUIRED));
}

export function assertOfflineUnlockAllowed(store: Pick<OrgStore, 'db'>): void {
  if (readMeta(store.db, ONLINE_SIGN_IN_REQUIRED) !== undefined) {
    throw new AppError(
      'OFFLINE',
      "This organization's local copy was restored from an older copy, so it can only be opened by signing in while the server can be reached. Nothing local was lost.",
    );
  }
}
