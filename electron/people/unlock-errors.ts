import { AppError } from '../../shared/errors.ts';
import type { OrgPolicy } from '../../shared/sync/auth.ts';

/**
 * The refusals of a local password check. Messages are for the person at the desk: they
 * name no password, no verifier, and (for sign-in) never which of org, user or password
 * was wrong.
 */
export type CredentialsContext = 'sign_in' | 'unlock';

export function invalidCredentials(context: CredentialsContext): AppError {
  return new AppError(
    'INVALID_CREDENTIALS',
    context === 'unlock'
      ? 'That password is not right.'
      : 'Sign-in failed. The server cannot be reached, so only people who have signed in on this workstation before can sign in now, with their organization code, username and password.',
  );
}

function clockTime(ms: number): string {
  const at = new Date(ms);
  return `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`;
}

export function lockedOut(until: number, now: number): AppError {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return new AppError(
    'RATE_LIMITED',
    `Too many wrong passwords. This user cannot sign in or unlock on this workstation until ${clockTime(until)} (in ${minutes} minute${minutes === 1 ? '' : 's'}).`,
  );
}

/** The password was right, but the last online sign-in here is too long ago. */
export class OfflineWindowExpiredError extends AppError {
  constructor(policy: OrgPolicy) {
    super(
      'UNAUTHENTICATED',
      policy.offlineUnlockDays === 0
        ? 'This organization does not allow signing in while the server cannot be reached. Connect to the network and sign in, or use emergency access.'
        : `Offline sign-in has expired: you have not signed in online on this workstation in the last ${policy.offlineUnlockDays} day${policy.offlineUnlockDays === 1 ? '' : 's'}. Connect to the network and sign in, or use emergency access.`,
    );
    this.name = 'OfflineWindowExpiredError';
  }
}

export function breakGlassNotNeeded(): AppError {
  return new AppError('FORBIDDEN', 'Emergency access is only for when offline sign-in has expired. Use the normal sign-in.');
}
