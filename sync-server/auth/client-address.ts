import { isIPv4, isIPv6 } from 'node:net';

/**
 * The sign-in throttle's per-source key: the peer address of the TCP connection, as the
 * HTTP server sees it. X-Forwarded-For is NOT read: the server has no trusted-proxy
 * setting, and a header any caller can write would let an attacker pick a fresh "source"
 * for every guess. (Behind a load balancer every caller then shares the balancer's
 * address; the per-source limit is loose for that reason and the per-account one still
 * holds. A trusted-proxy setting would be the place to change this.)
 *
 * IPv4-mapped IPv6 is the IPv4 address; other IPv6 addresses count by their /64, since
 * one host is usually handed a whole /64 and could otherwise rotate through it.
 */
export function sourceKey(remoteAddress: string | undefined | null): string | null {
  if (!remoteAddress) return null;
  const address = remoteAddress.replace(/%.*$/, '').toLowerCase(); // no zone index
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return null;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
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
