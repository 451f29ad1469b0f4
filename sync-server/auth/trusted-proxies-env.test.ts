import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../config.ts';

describe('trusted proxies configuration', () => {
  it('trusts no proxy when CLINICSYNC_TRUSTED_PROXIES is unset or empty', () => {
    for (const env of [{}, { CLINICSYNC_TRUSTED_PROXIES: '' }, { CLINICSYNC_TRUSTED_PROXIES: ' , ' }]) {
      expect(loadConfig(env).trustedProxies).toEqual([]);
    }
    expect(describeConfig(loadConfig({}))).toContain('trusted proxies: none');
  });

  it('takes a comma-separated list of addresses and ranges, spaces allowed', () => {
    const options = loadConfig({ CLINICSYNC_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5,fd00::/8 ,' });
    expect(options.trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8']);
    // The banner counts them; it prints no address.
    expect(describeConfig(options)).toContain('trusted proxies: 3 entries');
    expect(describeConfig(options)).not.toContain('192.168');
  });

  it('refuses a malformed entry, naming the variable and the entry', () => {
    for (const [value, position, entry] of [['10.0.0.0/33', 1, '10.0.0.0/33'], ['10.0.0.1, lb.internal', 2, 'lb.internal'], ['10.0.0.1; 10.0.0.2', 1, '10.0.0.1; 10.0.0.2']] as const) {
      try {
        loadConfig({ CLINICSYNC_TRUSTED_PROXIES: value });
        expect.unreachable(value);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toContain(`CLINICSYNC_TRUSTED_PROXIES: entry ${position} ("${entry}") is not an IPv4/IPv6 address or CIDR range`);
      }
    }
  });
});
