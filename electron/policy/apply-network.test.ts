import { describe, expect, it } from 'vitest';
import { applySessionProxy } from './apply-network.ts';

describe('the policy proxy for Electron’s own network stack', () => {
  it('sets the proxy and its bypass list on the session; no proxy in the policy leaves the session alone', async () => {
    const calls: unknown[] = [];
    const session = { setProxy: async (config: unknown) => void calls.push(config) };
    await applySessionProxy(session, { proxy: { url: 'http://proxy.clinic.example:3128/', bypass: ['.lan', 'intranet.example'] } });
    await applySessionProxy(session, { proxy: { url: 'https://proxy.clinic.example', bypass: [] } });
    await applySessionProxy(session, null);
    await applySessionProxy(session, {});
    expect(calls).toEqual([
      { proxyRules: 'http://proxy.clinic.example:3128', proxyBypassRules: '.lan,intranet.example' },
      { proxyRules: 'https://proxy.clinic.example' },
    ]);
  });
});
