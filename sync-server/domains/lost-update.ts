import { AppError } from '../../shared/errors.ts';

/**
 * Refuses a lost update: the editor names the version it started from (0 = not saved yet);
 * if someone saved since, the save is refused and the editor reloads. No version given =
 * last writer wins, on purpose (admin scripts).
 */
export function assertVersion(what: string, current: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== current) {
    throw new AppError('CONFLICT', `The ${what} was changed by someone else since you opened it. Reload it and make your change again.`);
  }
}
