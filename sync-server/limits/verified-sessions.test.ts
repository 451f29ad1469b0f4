import { describe, expect, it } from 'vitest';
import { VerifiedSessions } from './verified-sessions.ts';

const ORG_A = '01900000-0000-7000-8000-00000000000a';
const ORG_B = '01900000-0000-7000-8000-00000000000b';
const session = (tenantId: string, deviceId: string) => ({ tenantId, deviceId, actor: { userId: 'u', sessionId: `s-${deviceId}`, deviceId, role: 'front_desk' as const } });

function cache(ttlMs = 1_000, maxEntries = 3) {
  const c = { now: 1_000_000 };
  return { c, sessions: new VerifiedSessions({ ttlMs, maxEntries }, () => c.now) };
}

describe('VerifiedSessions', () => {
  it('finds a verified token only for the org it was verified for', () => {
    const { sessions } = cache();
    sessions.remember('tok-1', session(ORG_A, 'd1'));
    expect(sessions.lookup('tok-1', ORG_A)).toMatchObject({ tenantId: ORG_A, deviceId: 'd1' });
    expect(sessions.lookup('tok-1', ORG_B)).toBeNull(); // shown to another org: the normal path refuses it
    expect(sessions.lookup('tok-2', ORG_A)).toBeNull(); // never verified (a forged token)
    expect(sessions.lookup(null, ORG_A)).toBeNull();
    expect(sessions.lookup('tok-1', null)).toBeNull();
  });

  it('forgets an entry once its few seconds are over; a new verification renews it', () => {
    const { c, sessions } = cache(1_000);
    sessions.remember('tok-1', session(ORG_A, 'd1'));
    c.now += 999;
    expect(sessions.lookup('tok-1', ORG_A)).not.toBeNull();
    sessions.remember('tok-1', session(ORG_A, 'd1'));
    c.now += 999;
    expect(sessions.lookup('tok-1', ORG_A)).not.toBeNull();
    c.now += 1;
    expect(sessions.lookup('tok-1', ORG_A)).toBeNull();
    expect(sessions.size).toBe(0);
  });

  it('holds at most maxEntries, dropping the least recently verified', () => {
    const { sessions } = cache(60_000, 3);
    for (const n of [1, 2, 3]) sessions.remember(`tok-${n}`, session(ORG_A, `d${n}`));
    sessions.remember('tok-1', session(ORG_A, 'd1')); // verified again: now the most recent
    sessions.remember('tok-4', session(ORG_A, 'd4'));
    expect(sessions.size).toBe(3);
    expect(sessions.lookup('tok-2', ORG_A)).toBeNull();
    for (const n of [1, 3, 4]) expect(sessions.lookup(`tok-${n}`, ORG_A)).not.toBeNull();
  });

  it('keeps a copy, so the caller changing its session object changes nothing here', () => {
    const { sessions } = cache();
    const s = session(ORG_A, 'd1');
    sessions.remember('tok-1', s);
    s.actor.deviceId = 'changed';
    expect(sessions.lookup('tok-1', ORG_A)?.actor.deviceId).toBe('d1');
  });
});
