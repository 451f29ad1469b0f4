import { BlockList, isIP } from 'node:net';

/**
 * The proxies whose X-Forwarded-For the server believes (CLINICSYNC_TRUSTED_PROXIES, the
 * `trustedProxies` option): addresses and CIDR ranges, IPv4 and IPv6. Matching is Node's
 * net.BlockList, which treats an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a
 * dual-stack listener reports for an IPv4 peer) as the IPv4 address in both directions.
 */
export interface TrustedProxies {
  trusts(address: string): boolean;
}

export class TrustedProxiesError extends Error {
  override name = 'TrustedProxiesError';
}

/**
 * The matcher for these entries, or null when there are none (no proxy trusted: the TCP
 * peer is the client). A malformed entry throws, naming it by position and text: the
 * text is an operator's proxy address, not a caller's.
 */
export function trustedProxies(entries: readonly string[]): TrustedProxies | null {
  if (entries.length === 0) return null;
  const list = new BlockList();
  entries.forEach((entry, index) => {
    if (!addEntry(list, entry)) throw new TrustedProxiesError(`entry ${index + 1} ("${entry}") is not an IPv4/IPv6 address or CIDR range`);
  });
  return {
    trusts: (address) => {
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** Adds `address` or `address/prefix` to the list; false if it is neither. */
function addEntry(list: BlockList, entry: string): boolean {
  const match = /^([^/%\s]+)(?:\/(\d{1,3}))?$/.exec(entry);
  const family = match ? isIP(match[1]!) : 0;
  if (!match || family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (match[2] === undefined) {
    list.addAddress(match[1]!, type);
    return true;
  }
  const prefix = Number(match[2]);
  if (prefix > (type === 'ipv4' ? 32 : 128)) return false;
  list.addSubnet(match[1]!, prefix, type);
  return true;
}
