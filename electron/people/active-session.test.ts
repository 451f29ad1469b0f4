import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { DEFAULT_ORG_POLICY } from '../../shared/sync/auth.ts';
import { OrgStore } from '../store/org-store.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { ActiveSession } from './active-session.ts';
import { createTestClock, type TestClock } from './testing/test-clock.ts';

const MINUTE = 60_000;
let dir: ReturnType<typeof tempDir>;
let store: OrgStore;
let clock: TestClock;
const sessions: ActiveSession[] = [];

beforeEach(() => {
  dir = tempDir();
  store = OrgStore.open({ path: join(dir.path, 'org.db'), key: randomBytes(32), tenantId: uuidv7(), deviceId: uuidv7() });
  clock = createTestClock({ frozen: true });
});
afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
  store.close();
  dir.remove();
});

function session(overrides: Partial<ConstructorParameters<typeof ActiveSession>[0]> = {}): ActiveSession {
  const s = new ActiveSession({
    tenantId: store.tenantId,
    orgCode: 'northside',
    orgName: 'Northside',
    store,
    user: { userId: uuidv7(), login: 'kim', displayName: 'Kim', role: 'clinician', lastOnlineAt: new Date().toISOString() },
    policy: { ...DEFAULT_ORG_POLICY, idleLockMinutes: 15, breakGlassMinutes: 60 },
    mode: 'offline',
    sync: null,
    breakGlassEndsAt: null,
    clock,
    ...overrides,
  });
  sessions.push(s);
  return s;
}

describe('idle lock and emergency-access end (injected clock)', () => {
  it('locks by its own timer after the idle time, not before; activity moves the deadline', () => {
    const s = session();
    clock.advance(14 * MINUTE);
    expect(s.locked).toBe(false);
    s.touch();
    clock.advance(14 * MINUTE); // 28 min since start, 14 since the activity
    expect(s.locked).toBe(false);
    clock.advance(MINUTE);
    expect(s.lockReason).toBe('idle');
  });

  it('a timer that never fired (suspended laptop) is covered by the check on the next call', () => {
    let now = Date.now();
    const frozenTimers = { now: () => now, setTimer: () => () => undefined };
    const s = session({ clock: frozenTimers });
    now += 16 * MINUTE;
    expect(s.locked).toBe(false); // nothing ran yet
    s.applyTimeLocks();
    expect(s.lockReason).toBe('idle');
  });

  it('stays locked through activity, and unlocking restarts the idle time', () => {
    const s = session();
    s.lock('manual');
    s.touch();
    expect(s.lockReason).toBe('manual');
    s.unlock();
    clock.advance(15 * MINUTE - 1);
    expect(s.locked).toBe(false);
    clock.advance(1);
    expect(s.lockReason).toBe('idle');
  });

  it('follows the policy: a 1-minute idle lock locks after one minute', () => {
    const s = session({ policy: { ...DEFAULT_ORG_POLICY, idleLockMinutes: 1 } });
    clock.advance(59_000);
    expect(s.locked).toBe(false);
    clock.advance(1_000);
    expect(s.locked).toBe(true);
  });

  it('ends emergency access at its end time even while the person is active', () => {
    const s = session({ mode: 'break_glass', breakGlassEndsAt: clock.now() + 60 * MINUTE });
    for (let i = 0; i < 6; i++) {
      clock.advance(10 * MINUTE - 1);
      s.touch();
    }
    expect(s.locked).toBe(false);
    clock.advance(10);
    expect(s.lockReason).toBe('break_glass_ended');
  });

  it('runs the onLock hook once, and a disposed session never locks', () => {
    const s = session();
    let locks = 0;
    s.onLock = () => void locks++;
    s.lock('manual');
    s.lock('idle');
    expect(locks).toBe(1);
    const gone = session();
    gone.dispose();
    clock.advance(60 * MINUTE);
    expect(gone.locked).toBe(false);
  });
});
