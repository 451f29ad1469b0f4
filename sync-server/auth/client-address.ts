import { isIPv4, isIPv6 } from 'node:net';

/**
 * The sign-in throttle's per-source key, from the caller's address as forwarded-for.ts
 * resolves it: the TCP peer, unless that peer is a trusted proxy (CLINICSYNC_TRUSTED_PROXIES;
 * none by default), in which case the right-most X-Forwarded-For entry that is not one.
 * X-Forwarded-For from any other peer is ignored: a header any caller can write would let
 * an attacker pick a fresh "source" for every guess. (Behind a load balancer that is not
 * listed, every caller shares the balancer's address; the per-account limit still holds.)
 *
 * IPv4-mapped IPv6 (either notation) is the IPv4 address; other IPv6 addresses count by
 * their /64, since one host is usually handed a whole /64 and could otherwise rotate through it.
 */
export function sourceKey(remoteAddress: string | undefined | null): string | null {
  if (!remoteAddress) return null;
  const address = remoteAddress.replace(/%.*$/, '').toLowerCase(); // no zone index
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return null;
  const groups = expandIPv6(address);
  // IPv4-mapped, dotted (`::ffff:203.0.113.9`) or not (`::ffff:cb00:7109`, as a proxy may forward it).
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    const [high, low] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function expandIPv6(address: string): string[] {
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (tail) {
    const [a, b, c, d] = tail[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${address.slice(0, -tail[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
