import { AppError } from '../../shared/errors.ts';

/**
 * A switch to another org that did not open (offline: wrong password, never signed in
 * there, offline window over, locked out; either way: its local copy damaged). The org
 * that was open stays open, so the refusal says so; the code stays the target's own (the
 * dialog's title follows it). Unexpected errors keep their cause but show no detail.
 */
export function switchRefused(stayingOrg: string, targetOrg: string, error: unknown): AppError {
  const still = `You are still signed in to ${stayingOrg}.`;
  if (error instanceof AppError) return new AppError(error.code, `${targetOrg} did not open: ${error.message} ${still}`, { cause: error });
  return new AppError('INTERNAL', `${targetOrg} could not be opened. ${still}`, { cause: error });
}
