import { AppError } from '../../shared/errors.ts';

/** A bare lower-case DNS name: no scheme, port, path, userinfo or wildcard. */
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/**
 * Reads the hosts the renderer may open in the system browser from
 * CLINICSYNC_EXTERNAL_HOSTS (comma-separated, exact names). Unset means none: the app
 * itself links nowhere, so an empty list costs nothing and keeps openExternal — which hands
 * a URL to the OS, where any registered scheme handler can run — switched off by default.
 */
export function parseExternalHosts(value: string | undefined): ReadonlySet<string> {
  const hosts = new Set<string>();
  for (const entry of (value ?? '').split(',')) {
    const host = entry.trim();
    if (host === '') continue;
    if (!HOSTNAME.test(host)) {
      // The entry is configuration, not PHI, but it is still not echoed: the variable is enough.
      throw new AppError('VALIDATION', 'CLINICSYNC_EXTERNAL_HOSTS must list bare lower-case host names, separated by commas.');
    }
    hosts.add(host);
  }
  return hosts;
}

/**
 * The URL to hand to shell.openExternal, or null when it must not leave the app: only https,
 * on exactly an allow-listed host (no sub-domains), on the default port, without userinfo
 * (https://allowed.example@evil.example/ names host evil.example). The normalised href is
 * returned, never the raw string, so the OS receives what was checked.
 */
export function externalLinkTarget(raw: string, allowedHosts: ReadonlySet<string>): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.port !== '') return null;
  return allowedHosts.has(url.hostname) ? url.href : null;
}
