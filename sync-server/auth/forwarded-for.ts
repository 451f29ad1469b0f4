import { isIP, isIPv4, isIPv6 } from 'node:net';
import type { TrustedProxies } from './trusted-proxies.ts';

export const FORWARDED_FOR_HEADER = 'x-forwarded-for';

/** At most this many X-Forwarded-For entries are read, from the right: a huge header costs nothing. */
export const MAX_FORWARDED_HOPS = 20;

/**
 * The caller's address: the TCP peer, or, when the peer is a trusted proxy, the right-most
 * X-Forwarded-For entry that is not one. Each trusted hop appends the address it was
 * connected from, so walking from the right over trusted hops reaches the first address
 * no trusted party vouches beyond; entries left of it are whatever the caller wrote and
 * are never read. The header of an untrusted peer is ignored entirely (a caller must not
 * choose its own source). An entry that is not an address (`unknown`, an obfuscated
 * name, empty) ends the walk at the trusted hop that wrote it, as does the hop cap, so a
 * malformed header can only ever land on a proxy's own address.
 *
 * The result is an address, not yet a key: sourceKey() (client-address.ts) keys it.
 */
export function clientAddress(peer: string | undefined | null, forwardedFor: string | string[] | undefined, proxies: TrustedProxies | null): string | null {
  if (!peer) return null;
  if (!proxies || forwardedFor === undefined) return peer;
  // Several header lines are one list, in order (RFC 9110 §5.3); Node usually joins them already.
  const header = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
  let current = peer;
  let end = header.length; // the unread part is header[0, end)
  for (let hop = 0; hop < MAX_FORWARDED_HOPS && end >= 0 && proxies.trusts(current); hop++) {
    const comma = end > 0 ? header.lastIndexOf(',', end - 1) : -1;
    const entry = forwardedAddress(header.slice(comma + 1, end));
    if (entry === null) return current;
    current = entry;
    end = comma; // -1 once the left-most entry is taken
  }
  return current;
}

/**
 * One X-Forwarded-For entry as an address, or null. Besides a bare address, the forms some
 * balancers write are accepted: `IPv4:port`, `[IPv6]` and `[IPv6]:port` (the port is
 * dropped). A bare IPv6 address cannot carry a port (its last group would read as one), so
 * it is taken as written.
 */
export function forwardedAddress(raw: string): string | null {
  const entry = raw.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) return isIPv6(bracketed[1]!) ? bracketed[1]! : null;
  const withPort = /^(\d+\.\d+\.\d+\.\d+):\d{1,5}$/.exec(entry);
  if (withPort) return isIPv4(withPort[1]!) ? withPort[1]! : null;
  return isIP(entry) !== 0 ? entry : null;
}
