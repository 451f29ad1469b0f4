import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { DEFAULT_ORG_POLICY, type OrgPolicy } from '../../shared/sync/auth.ts';
import { writeMeta } from '../store/meta.ts';
import { OrgStore } from '../store/org-store.ts';
import { tempDir } from '../test-support/temp-dir.ts';
import { markBreakGlassUploaded, pendingBreakGlass, recordBreakGlass } from './break-glass-log.ts';
import { checkLocalPassword, findLocalUser, rememberOnlineUser, type LocalPasswordCheck } from './local-users.ts';
import { META_ORG_POLICY, readOrgPolicy, saveOrgPolicy } from './org-policy.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const PASSWORD = 'nurse-on-nights-2026';
const T0 = Date.parse('2026-03-02T08:00:00Z');
const policy: OrgPolicy = { ...DEFAULT_ORG_POLICY, offlineUnlockDays: 7, maxUnlockFailures: 3, lockoutMinutes: 15 };

let dir: ReturnType<typeof tempDir>;
let store: OrgStore;
const key = randomBytes(32);
const tenantId = uuidv7();
const userId = uuidv7();
const open = () => OrgStore.open({ path: join(dir.path, 'org.db'), key, tenantId, deviceId: uuidv7() });

beforeEach(async () => {
  dir = tempDir();
  store = open();
  await rememberOnlineUser(store, { userId, username: '  Nurse.Kim ', displayName: 'Kim (nights)', role: 'clinician' }, PASSWORD, T0);
});
afterEach(() => {
  store.close();
  dir.remove();
});

const check = (overrides: Partial<LocalPasswordCheck> = {}) =>
  checkLocalPassword(store, { who: { login: 'nurse.kim' }, password: PASSWORD, policy, now: T0 + DAY, window: 'enforce', ...overrides });

/** The whole refusal (code + sentence), to compare two refusals for sameness. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error('expected a refusal');
}

const row = () => store.db.prepare('SELECT failed_attempts, locked_until FROM local_users WHERE user_id = ?').get(userId) as { failed_attempts: number; locked_until: string | null };

describe('local users: remembering an online sign-in', () => {
  it('keeps a verifier (never the password), the display name, role and last online time', () => {
    expect(findLocalUser(store.db, { login: 'NURSE.KIM' })).toEqual({ userId, login: 'nurse.kim', displayName: 'Kim (nights)', role: 'clinician', lastOnlineAt: new Date(T0).toISOString() });
    const stored = JSON.stringify(store.db.prepare('SELECT * FROM local_users').all());
    expect(stored).not.toContain(PASSWORD);
    expect(stored).toContain('scrypt$N=32768,r=8,p=1$');
  });

  it('a later online sign-in replaces the verifier, clears failures and lockout, and moves the window', async () => {
    for (let i = 0; i < 3; i++) await refusal(check({ password: 'wrong' }));
    expect(row().locked_until).not.toBeNull();
    await rememberOnlineUser(store, { userId, username: 'nurse.kim', displayName: 'Kim', role: 'clinician' }, 'a-new-password-2026', T0 + 10 * DAY);
    expect(row()).toEqual({ failed_attempts: 0, locked_until: null });
    expect(await refusal(check({ now: T0 + 11 * DAY }))).toMatchObject({ code: 'INVALID_CREDENTIALS' }); // the old password no longer works
    expect(await check({ password: 'a-new-password-2026', now: T0 + 11 * DAY })).toMatchObject({ userId, displayName: 'Kim' });
  });

  it('a login that now belongs to another account replaces the old account here', async () => {
    const other = uuidv7();
    await rememberOnlineUser(store, { userId: other, username: 'nurse.kim', displayName: 'Another Kim', role: 'front_desk' }, 'other-password-2026', T0);
    expect(findLocalUser(store.db, { userId })).toBeNull();
    expect(findLocalUser(store.db, { login: 'nurse.kim' })).toMatchObject({ userId: other, role: 'front_desk' });
  });
});

describe('local users: offline unlock', () => {
  it('lets a known user in with the right password within the window (login trimmed, any case)', async () => {
    expect(await check({ who: { login: ' NURSE.kim ' } })).toMatchObject({ userId, role: 'clinician' });
    expect(await check({ now: T0 + 7 * DAY })).toMatchObject({ userId }); // the last day of the window still counts
  });

  it('gives an unknown user exactly the same answer as a wrong password', async () => {
    const wrong = await refusal(check({ password: 'not-the-password' }));
    const unknown = await refusal(check({ who: { login: 'nobody' } }));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(unknown).toEqual(wrong);
    expect(wrong.message).not.toMatch(/password is wrong|unknown user|no such user/i);
  });

  it('counts wrong passwords and locks the user out at the limit, saying when to try again', async () => {
    expect((await refusal(check({ password: 'wrong-1' }))).code).toBe('INVALID_CREDENTIALS');
    expect(row().failed_attempts).toBe(1);
    expect((await refusal(check({ password: 'wrong-2' }))).code).toBe('INVALID_CREDENTIALS');
    const third = await refusal(check({ password: 'wrong-3' }));
    expect(third.code).toBe('RATE_LIMITED');
    expect(third.message).toMatch(/until \d\d:\d\d \(in 15 minutes\)/);
    expect(Date.parse(row().locked_until!)).toBe(T0 + DAY + 15 * MINUTE);

    // Locked out: even the right password is refused, and does not count further.
    const later = await refusal(check({ now: T0 + DAY + 5 * MINUTE }));
    expect(later.code).toBe('RATE_LIMITED');
    expect(later.message).toMatch(/in 10 minutes/);
    expect(later.message).not.toContain(PASSWORD);

    // Once the lockout has run out, the right password works and the count starts afresh.
    expect(await check({ now: T0 + DAY + 15 * MINUTE })).toMatchObject({ userId });
    expect(row()).toEqual({ failed_attempts: 0, locked_until: null });
  });

  it('a right password resets the count of earlier wrong ones', async () => {
    await refusal(check({ password: 'wrong-1' }));
    await refusal(check({ password: 'wrong-2' }));
    await check();
    await refusal(check({ password: 'wrong-3' }));
    expect(row()).toEqual({ failed_attempts: 1, locked_until: null });
  });

  it('keeps the lockout across closing and reopening the store (an app restart)', async () => {
    for (let i = 0; i < 3; i++) await refusal(check({ password: `wrong-${i}` }));
    store.close();
    store = open();
    expect((await refusal(check({ now: T0 + DAY + MINUTE }))).code).toBe('RATE_LIMITED');
  });

  it('refuses a right password once the offline window has expired, with its own message; a wrong one still reads as wrong', async () => {
    const expired = await refusal(check({ now: T0 + 7 * DAY + MINUTE }));
    expect(expired.code).toBe('UNAUTHENTICATED');
    expect(expired.message).toMatch(/last 7 days.*Connect to the network.*emergency access/);
    // Someone who does not know the password learns nothing about the window.
    expect((await refusal(check({ password: 'wrong', now: T0 + 30 * DAY }))).code).toBe('INVALID_CREDENTIALS');
  });

  it('never allows offline unlock when the org sets the window to 0 days', async () => {
    const expired = await refusal(check({ policy: { ...policy, offlineUnlockDays: 0 }, now: T0 + MINUTE }));
    expect(expired).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(expired.message).toMatch(/does not allow signing in while the server cannot be reached/);
  });

  it('does not let a clock turned back stretch the window', async () => {
    expect((await refusal(check({ now: T0 - 3 * DAY }))).code).toBe('UNAUTHENTICATED');
  });

  it('emergency access needs an expired window: refused while offline unlock still works', async () => {
    expect(await refusal(check({ window: 'require_expired' }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/normal sign-in/) });
    expect(await check({ window: 'require_expired', now: T0 + 8 * DAY })).toMatchObject({ userId });
    // ... and never bypasses a lockout or an unknown user.
    expect((await refusal(check({ window: 'require_expired', now: T0 + 8 * DAY, who: { login: 'nobody' } }))).code).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 3; i++) await refusal(check({ password: `wrong-${i}`, now: T0 + 8 * DAY }));
    expect((await refusal(check({ window: 'require_expired', now: T0 + 8 * DAY }))).code).toBe('RATE_LIMITED');
  });

  it('unlocking by user id says "password not right" and shares the same count', async () => {
    const byId = (password: string) => check({ who: { userId }, password, window: 'ignore' });
    expect(await refusal(byId('wrong'))).toEqual({ code: 'INVALID_CREDENTIALS', message: 'That password is not right.' });
    await refusal(check({ password: 'wrong' }));
    expect((await refusal(byId('wrong-again'))).code).toBe('RATE_LIMITED');
    // 'ignore': an online session's screen unlocks even long after the last sign-in here.
    store.db.prepare('UPDATE local_users SET locked_until = NULL').run();
    expect(await check({ who: { userId }, window: 'ignore', now: T0 + 60 * DAY })).toMatchObject({ userId });
  });
});

describe('org policy in the store', () => {
  it('round-trips, and falls back to the defaults when missing or damaged', () => {
    expect(readOrgPolicy(store.db)).toEqual(DEFAULT_ORG_POLICY);
    const custom = { offlineUnlockDays: 3, idleLockMinutes: 5, maxUnlockFailures: 4, lockoutMinutes: 30, breakGlassMinutes: 20 };
    saveOrgPolicy(store.db, custom);
    expect(readOrgPolicy(store.db)).toEqual(custom);
    writeMeta(store.db, META_ORG_POLICY, '{not json');
    expect(readOrgPolicy(store.db)).toEqual(DEFAULT_ORG_POLICY);
    writeMeta(store.db, META_ORG_POLICY, JSON.stringify({ ...custom, maxUnlockFailures: 0 }));
    expect(readOrgPolicy(store.db)).toEqual(DEFAULT_ORG_POLICY);
    expect(() => saveOrgPolicy(store.db, { ...custom, idleLockMinutes: 0 })).toThrow();
  });
});

describe('break-glass log in the store', () => {
  it('records entries, lists the pending ones oldest first, and marks them uploaded', () => {
    const first = recordBreakGlass(store, { userId, reason: 'Patient in resus, chart needed now', startedAt: T0, expiresAt: T0 + 60 * MINUTE });
    const second = recordBreakGlass(store, { userId, reason: 'Second emergency on the ward', startedAt: T0 + MINUTE, expiresAt: T0 + 61 * MINUTE });
    expect(pendingBreakGlass(store.db).map((entry) => entry.id)).toEqual([first.id, second.id]);
    expect(pendingBreakGlass(store.db)[0]).toEqual({ id: first.id, userId, reason: 'Patient in resus, chart needed now', startedAt: new Date(T0).toISOString(), expiresAt: new Date(T0 + 60 * MINUTE).toISOString() });
    markBreakGlassUploaded(store, [first.id], T0 + 2 * MINUTE);
    expect(pendingBreakGlass(store.db).map((entry) => entry.id)).toEqual([second.id]);
  });

  it('refuses a reason under 10 characters or with control characters, and stores nothing', () => {
    expect(() => recordBreakGlass(store, { userId, reason: 'urgent', startedAt: T0, expiresAt: T0 + MINUTE })).toThrow(/at least 10 characters/);
    expect(() => recordBreakGlass(store, { userId, reason: 'urgent\u0000 patient chart', startedAt: T0, expiresAt: T0 + MINUTE })).toThrow();
    expect(pendingBreakGlass(store.db)).toEqual([]);
  });
});
