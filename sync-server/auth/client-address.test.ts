import { describe, expect, it } from 'vitest';
import { sourceKey } from './client-address.ts';

describe('sourceKey', () => {
  it('keys IPv4 (also IPv4-mapped IPv6) by the address and IPv6 by its /64', () => {
    expect(sourceKey('203.0.113.9')).toBe('203.0.113.9');
    expect(sourceKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(sourceKey('::FFFF:cb00:7109')).toBe('203.0.113.9');
    expect(sourceKey('0:0:0:0:0:ffff:cb00:7109')).toBe('203.0.113.9');
    expect(sourceKey('::cb00:7109')).toBe('0:0:0:0::/64'); // IPv4-compatible (deprecated) is not mapped
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
  });

  it('has no key for a missing or malformed address', () => {
    for (const bad of [undefined, null, '', 'localhost', '1.2.3', '1::2::3']) expect(sourceKey(bad)).toBeNull();
  });
});
