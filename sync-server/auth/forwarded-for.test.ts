import { describe, expect, it } from 'vitest';
import { sourceKey } from './client-address.ts';
import { clientAddress, forwardedAddress, MAX_FORWARDED_HOPS } from './forwarded-for.ts';
import { trustedProxies, TrustedProxiesError } from './trusted-proxies.ts';

/** The load balancers of these cases: a private range, one address, an IPv6 range. */
const proxies = trustedProxies(['10.0.0.0/8', '192.168.1.5', 'fd00::/8'])!;

describe('clientAddress', () => {
  it('is the TCP peer when no proxy is trusted, whatever the header says', () => {
    expect(trustedProxies([])).toBeNull();
    expect(clientAddress('10.1.1.1', '203.0.113.7', null)).toBe('10.1.1.1');
    expect(clientAddress('198.51.100.2', undefined, null)).toBe('198.51.100.2');
    expect(clientAddress(undefined, '203.0.113.7', proxies)).toBeNull();
  });

  it('ignores the header of an untrusted peer entirely', () => {
    expect(clientAddress('198.51.100.2', '203.0.113.7', proxies)).toBe('198.51.100.2');
    expect(clientAddress('198.51.100.2', '10.0.0.9', proxies)).toBe('198.51.100.2');
  });

  it('takes the entry a trusted peer appended, and walks several trusted hops', () => {
    expect(clientAddress('10.1.1.1', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.1.1.1', ' 203.0.113.7 , 192.168.1.5,10.2.2.2', proxies)).toBe('203.0.113.7');
    // A peer with no header (a health check from the balancer itself) is the peer.
    expect(clientAddress('10.1.1.1', undefined, proxies)).toBe('10.1.1.1');
    // Every entry trusted: the left-most, the farthest hop anyone vouches for.
    expect(clientAddress('10.1.1.1', '10.3.3.3, 10.2.2.2', proxies)).toBe('10.3.3.3');
  });

  it('stops at the first untrusted hop from the right: entries the caller wrote further left are never read', () => {
    // The caller sent "X-Forwarded-For: 10.9.9.9, 198.51.100.1" itself; the balancer appended its peer.
    expect(clientAddress('10.1.1.1', '10.9.9.9, 198.51.100.1, 203.0.113.7', proxies)).toBe('203.0.113.7');
    // An untrusted hop in the middle ends the walk there, trusted-looking entries left of it notwithstanding.
    expect(clientAddress('10.1.1.1', '203.0.113.7, 10.4.4.4, 198.51.100.50, 10.2.2.2', proxies)).toBe('198.51.100.50');
  });

  it('joins several header lines in order', () => {
    expect(clientAddress('10.1.1.1', ['198.51.100.1', '203.0.113.7, 10.2.2.2'], proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.1.1.1', ['198.51.100.1', '10.2.2.2'], proxies)).toBe('198.51.100.1');
  });

  it('ends the walk at the trusted hop that wrote a malformed entry', () => {
    for (const bad of ['unknown', '', ' ', 'not-an-ip', '203.0.113', '203.0.113.7.1', '_hidden', '2001:db8::1::2', '[203.0.113.7]', '203.0.113.7:port', 'a'.repeat(5000)]) {
      expect(clientAddress('10.1.1.1', `198.51.100.1, ${bad}, 10.2.2.2`, proxies), JSON.stringify(bad.slice(0, 20))).toBe('10.2.2.2');
      expect(clientAddress('10.1.1.1', bad, proxies), JSON.stringify(bad.slice(0, 20))).toBe('10.1.1.1');
    }
    expect(clientAddress('10.1.1.1', ',203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.1.1.1', '203.0.113.7,', proxies)).toBe('10.1.1.1');
    expect(clientAddress('10.1.1.1', '', proxies)).toBe('10.1.1.1');
  });

  it('reads IPv4:port and bracketed IPv6 with or without a port, dropping the port', () => {
    expect(forwardedAddress('203.0.113.7:51234')).toBe('203.0.113.7');
    expect(forwardedAddress('[2001:DB8::7]')).toBe('2001:db8::7');
    expect(forwardedAddress('[2001:db8::7]:443')).toBe('2001:db8::7');
    expect(forwardedAddress('2001:db8::7')).toBe('2001:db8::7');
    expect(forwardedAddress('[203.0.113.7]:1')).toBeNull();
    expect(forwardedAddress('999.0.113.7:80')).toBeNull();
    expect(clientAddress('10.1.1.1', '198.51.100.1, 203.0.113.7:4242, 10.2.2.2:80', proxies)).toBe('203.0.113.7');
  });

  it('matches IPv6 ranges and IPv4-mapped peers and entries against the IPv4 list', () => {
    expect(clientAddress('fd12:3456::1', '2001:db8:1:2::5', proxies)).toBe('2001:db8:1:2::5');
    expect(clientAddress('fe80::1', '2001:db8:1:2::5', proxies)).toBe('fe80::1');
    // A dual-stack listener reports an IPv4 peer as ::ffff:a.b.c.d; both notations are the IPv4 address.
    expect(clientAddress('::ffff:10.1.1.1', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('::ffff:a01:101', '203.0.113.7', proxies)).toBe('203.0.113.7');
    expect(clientAddress('10.1.1.1', '203.0.113.7, ::ffff:192.168.1.5', proxies)).toBe('203.0.113.7');
    // A mapped entry in the list trusts the plain IPv4 peer too.
    expect(clientAddress('127.0.0.1', '203.0.113.7', trustedProxies(['::ffff:127.0.0.1']))).toBe('203.0.113.7');
    expect(clientAddress('::ffff:198.51.100.2', '203.0.113.7', proxies)).toBe('::ffff:198.51.100.2');
  });

  it('leaves the keying to sourceKey: an IPv6 client still counts by its /64, a mapped one as IPv4', () => {
    const a = sourceKey(clientAddress('10.1.1.1', '2001:db8:1:2::5', proxies));
    const b = sourceKey(clientAddress('10.1.1.1', '[2001:db8:1:2:ffff::9]:443', proxies));
    expect(a).toBe('2001:db8:1:2::/64');
    expect(b).toBe(a);
    expect(sourceKey(clientAddress('10.1.1.1', '2001:db8:1:3::5', proxies))).toBe('2001:db8:1:3::/64');
    expect(sourceKey(clientAddress('10.1.1.1', '::ffff:203.0.113.7', proxies))).toBe('203.0.113.7');
    expect(sourceKey(clientAddress('10.1.1.1', '::ffff:cb00:7107', proxies))).toBe('203.0.113.7');
  });

  it(`reads at most ${MAX_FORWARDED_HOPS} entries from the right`, () => {
    const hops = (n: number) => Array.from({ length: n }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    // Within the cap, the walk reaches the client behind the trusted hops.
    expect(clientAddress('10.1.1.1', ['203.0.113.7', ...hops(MAX_FORWARDED_HOPS - 1)].join(','), proxies)).toBe('203.0.113.7');
    // Beyond it, the walk stops on a trusted hop's own address, never on the caller's entry.
    expect(clientAddress('10.1.1.1', ['203.0.113.7', ...hops(MAX_FORWARDED_HOPS)].join(','), proxies)).toBe(hops(MAX_FORWARDED_HOPS)[0]);
    // A header of 100,000 entries: as many entries as the cap are inspected, so it is quick.
    let trustedCalls = 0;
    const counting = { trusts: (address: string) => (trustedCalls++, proxies.trusts(address)) };
    const huge = hops(100_000).join(',');
    expect(proxies.trusts(clientAddress('10.1.1.1', huge, counting)!)).toBe(true);
    expect(trustedCalls).toBe(MAX_FORWARDED_HOPS);
  });
});

describe('trustedProxies', () => {
  it('takes addresses and CIDR ranges of both families', () => {
    const list = trustedProxies(['10.0.0.0/8', '192.168.1.5', 'fd00::/8', '2001:db8::1', '172.16.0.0/12', '100.64.0.0/10'])!;
    for (const yes of ['10.255.0.1', '192.168.1.5', 'fd99::1', '2001:db8::1', '172.31.255.255', '100.127.0.1']) expect(list.trusts(yes), yes).toBe(true);
    for (const no of ['11.0.0.1', '192.168.1.6', 'fe00::1', '2001:db8::2', '172.32.0.0', 'garbage', '']) expect(list.trusts(no), no).toBe(false);
  });

  it('refuses a malformed entry, naming it by position and text', () => {
    for (const bad of ['10.0.0.0/33', 'fd00::/129', '10.0.0/8', '10.0.0.0/', '10.0.0.0/8/8', 'localhost', '10.0.0.0/-1', '::1/x', 'fe80::1%eth0', '10.0.0.1 10.0.0.2']) {
      expect(() => trustedProxies(['192.168.1.5', bad]), bad).toThrow(new TrustedProxiesError(`entry 2 ("${bad}") is not an IPv4/IPv6 address or CIDR range`));
    }
  });
});
