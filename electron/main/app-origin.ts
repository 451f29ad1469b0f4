import { APP_HOST, APP_SCHEME } from './ipc-protocol.ts';

/**
 * True only for a URL on exactly our renderer origin, app://renderer. Used for navigation,
 * redirects, IPC senders and permission origins, so that one parse decides them all.
 *
 * Compared part by part, never by prefix or by `${protocol}//${host}` alone: look-alikes
 * such as app://renderer.evil, app://renderer@evil (userinfo "renderer", host "evil"),
 * app://evil@renderer (userinfo that a later parser could read differently), a port, or
 * https://app.renderer all fail. WHATWG URL gives non-special schemes an opaque origin
 * ("null"), which is why `origin` itself cannot be compared.
 */
export function isAppUrl(raw: string | null | undefined): boolean {
  if (!raw) return false;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
}
