/**
 * Staged rollout, as electron-updater does it: a channel file (latest.yml, pilot.yml, …) may
 * carry `stagingPercentage: N`. Each workstation keeps a random id in `.updaterId` under its
 * user-data folder; electron-updater maps it to a fixed point in [0, 1) and offers the
 * update when that point is below N/100. Raising N keeps every workstation already in and
 * adds more; setting it to 0 halts the rollout for everyone who has not downloaded it yet.
 *
 * electron-updater treats a percentage it cannot parse as "no staging" (everyone gets the
 * update). A typo must not roll a release out to every clinic at once, so this check fails
 * closed: a value that is not a whole number from 0 to 100 offers the update to nobody.
 */
export type RolloutCheck = (info: { stagingPercentage?: unknown; version: string }) => boolean | Promise<boolean>;

export function parseStagingPercentage(value: unknown): { kind: 'everyone' } | { kind: 'percent'; percent: number } | { kind: 'invalid' } {
  if (value === undefined || value === null) return { kind: 'everyone' };
  const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
  if (!/^\d{1,3}$/.test(text)) return { kind: 'invalid' };
  const percent = Number(text);
  return percent <= 100 ? { kind: 'percent', percent } : { kind: 'invalid' };
}

/** Wraps electron-updater's own rollout check: a valid percentage goes to it (same bucket, same answer); an invalid one says no. */
export function strictRollout<I extends { stagingPercentage?: unknown; version: string }>(
  library: (info: I) => boolean | Promise<boolean>,
  onInvalid: (version: string) => void,
): (info: I) => boolean | Promise<boolean> {
  return (info) => {
    if (parseStagingPercentage(info.stagingPercentage).kind === 'invalid') {
      onInvalid(info.version);
      return false;
    }
    return library(info);
  };
}
