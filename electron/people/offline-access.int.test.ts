import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localApiRouter } from '../local-api/router.ts';
import { samplePatient } from '../store/test-fixtures.ts';
import { freePort, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import type { Workstation } from '../workstation.ts';
import { rememberOnlineUser } from './local-users.ts';
import { startTcpRelay, type TcpRelay } from '../test-support/tcp-relay.ts';
import { createDesks, refusal, UNREACHABLE_URL, type Desk } from './testing/people-desks.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const REASON = 'Unconscious patient in bay 3, allergy list needed now';

const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/people/offline-access.int.test.ts: sync-server/main.ts is not there yet');

/**
 * Offline unlock, lockout, emergency access and the idle lock, on real SQLCipher stores and
 * a real sync server process. "Offline" is a workstation on the same desk (data folder,
 * keystore) pointed at an address nothing listens on, or cut off by a TCP switch.
 */
describe.skipIf(!available)('people on the workstation: offline access (real sync server)', () => {
  let server: SyncServerProcess;
  let network: TcpRelay;
  const desks = createDesks();
  const password = (org: string) => server.demoPasswords.get(org) ?? '';
  const creds = (org: string, username = 'frontdesk', pw = password(org)) => ({ org, username, password: pw });

  beforeAll(async () => {
    server = await startSyncServerProcess({ port: await freePort(), dataDir: join(desks.desk('server').dataDir, 'server') });
    network = await startTcpRelay(server.url);
  });
  afterAll(async () => {
    await desks.cleanup();
    await network?.close();
    await server?.stop();
  });

  /** Signs in online once (so the desk knows the person), syncs, and closes the app. */
  async function knownOnDesk(desk: Desk, ...people: { org: string; username: string; password: string }[]): Promise<void> {
    const online = desk.open(server.url);
    for (const person of people) {
      expect(await online.caller.session.signIn(person)).toMatchObject({ state: 'signed_in', mode: 'online' });
    }
    await online.syncNow();
    await online.close();
  }

  it('signs in offline from the desk’s verifier after an online sign-in; local work goes on and sync says offline', async () => {
    const desk = desks.desk('offline');
    const online = desk.open(server.url);
    await online.caller.session.signIn(creds('northside'));
    await online.syncNow();
    const seen = (await online.caller.patients.list({ limit: 500 })).length;
    const tenantId = online.currentTenantId()!;
    await online.close();

    const ws = desk.open(UNREACHABLE_URL);
    const status = await ws.caller.session.signIn(creds(' NorthSide ', ' FrontDesk ', password('northside')));
    expect(status).toMatchObject({
      state: 'signed_in',
      mode: 'offline',
      org: { tenantId, code: 'northside', name: 'Northside Family Practice' },
      user: { role: 'front_desk', username: 'frontdesk', displayName: 'Front Desk (demo)' },
    });
    expect(status.breakGlassEndsAt).toBeUndefined();
    expect((await ws.caller.patients.list({ limit: 500 })).length).toBe(seen);
    await ws.caller.patients.create(samplePatient({ familyName: 'Offlinewright', mrn: 'PPL-0001' }));
    expect(await ws.caller.sync.status()).toMatchObject({ state: 'offline', online: false, pending: 1, lastError: { code: 'OFFLINE' } });
    expect(await ws.caller.sync.now()).toMatchObject({ state: 'offline', pending: 1 });
    await expect(ws.syncNow()).rejects.toMatchObject({ code: 'OFFLINE' });

    // The org directory names the org and nothing else: no password, no user, no patient.
    const directory = readFileSync(join(desk.dataDir, 'orgs.json'), 'utf8');
    expect(JSON.parse(directory)).toEqual({ version: 1, orgs: { northside: { tenantId, name: 'Northside Family Practice' } } });
    for (const secret of [password('northside'), 'frontdesk', 'Offlinewright']) expect(directory).not.toContain(secret);
  });

  it('refuses offline: an org never used here (OFFLINE, no store created), an unknown user and a wrong password (one same answer)', async () => {
    const desk = desks.desk('refusals');
    await knownOnDesk(desk, creds('northside'));
    const ws = desk.open(UNREACHABLE_URL);

    const neverHere = await refusal(ws.caller.session.signIn(creds('lakeview')));
    expect(neverHere).toMatchObject({ code: 'OFFLINE', message: expect.stringMatching(/not been signed in to on this workstation/) });
    expect(readdirSync(join(desk.dataDir, 'stores')).filter((name) => name.endsWith('.db'))).toHaveLength(1);

    const wrong = await refusal(ws.caller.session.signIn(creds('northside', 'frontdesk', 'not-the-password')));
    const unknown = await refusal(ws.caller.session.signIn(creds('northside', 'clinician'))); // a real user, never signed in on this desk
    const madeUp = await refusal(ws.caller.session.signIn(creds('northside', 'nobody-at-all')));
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    expect(unknown).toEqual(wrong);
    expect(madeUp).toEqual(wrong);
    expect(wrong.message).not.toContain('not-the-password');
    expect(await ws.caller.session.status()).toMatchObject({ state: 'signed_out', org: null });
    await expect(ws.caller.patients.list({})).rejects.toMatchObject({ cause: { code: 'STORE_LOCKED' } });
  });

  it('locks a person out after the policy’s wrong passwords; the lockout survives a restart and ends with an online sign-in', async () => {
    const desk = desks.desk('lockout');
    await knownOnDesk(desk, creds('northside'));
    const ws = desk.open(UNREACHABLE_URL);
    for (let i = 1; i < 5; i++) expect((await refusal(ws.caller.session.signIn(creds('northside', 'frontdesk', `wrong-${i}`)))).code).toBe('INVALID_CREDENTIALS');
    const fifth = await refusal(ws.caller.session.signIn(creds('northside', 'frontdesk', 'wrong-5')));
    expect(fifth).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringMatching(/until \d\d:\d\d \(in 15 minutes\)/) });
    expect((await refusal(ws.caller.session.signIn(creds('northside')))).code).toBe('RATE_LIMITED'); // the right password too
    await ws.close();

    const restarted = desk.open(UNREACHABLE_URL);
    expect((await refusal(restarted.caller.session.signIn(creds('northside')))).code).toBe('RATE_LIMITED');
    desk.clock.advance(10 * MINUTE);
    expect((await refusal(restarted.caller.session.signIn(creds('northside')))).message).toMatch(/in 5 minutes/);
    await restarted.close();

    // The server is the authority: an online sign-in works and clears the local lockout.
    const online = desk.open(server.url);
    expect(await online.caller.session.signIn(creds('northside'))).toMatchObject({ mode: 'online' });
    await online.close();
    expect(await desk.open(UNREACHABLE_URL).caller.session.signIn(creds('northside'))).toMatchObject({ state: 'signed_in', mode: 'offline' });
  });

  it('after the offline window: its own error, then emergency access (never for unknown, wrong or locked-out people) that is logged and ends', async () => {
    const desk = desks.desk('emergency');
    await knownOnDesk(desk, creds('northside'), creds('northside', 'clinician'));

    // Within the window, emergency access is not needed and not given.
    const early = desk.open(UNREACHABLE_URL);
    expect(await refusal(early.caller.session.breakGlass({ ...creds('northside'), reason: REASON }))).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/normal sign-in/) });
    await early.close();

    desk.clock.advance(8 * DAY);
    const ws = desk.open(UNREACHABLE_URL);
    expect(await refusal(ws.caller.session.signIn(creds('northside')))).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringMatching(/last 7 days.*Connect to the network.*emergency access/),
    });
    const short = await refusal(ws.caller.session.breakGlass({ ...creds('northside'), reason: 'urgent' }));
    expect(short).toMatchObject({ code: 'VALIDATION', fieldErrors: { reason: expect.stringMatching(/at least 10 characters/) } });
    expect((await refusal(ws.caller.session.breakGlass({ ...creds('northside', 'admin'), reason: REASON }))).code).toBe('INVALID_CREDENTIALS');
    expect((await refusal(ws.caller.session.breakGlass({ ...creds('northside', 'frontdesk', 'wrong'), reason: REASON }))).code).toBe('INVALID_CREDENTIALS');
    for (let i = 0; i < 5; i++) await refusal(ws.caller.session.signIn(creds('northside', 'clinician', `wrong-${i}`)));
    expect((await refusal(ws.caller.session.breakGlass({ ...creds('northside', 'clinician'), reason: REASON }))).code).toBe('RATE_LIMITED');

    const started = desk.clock.now();
    const status = await ws.caller.session.breakGlass({ ...creds('northside'), reason: REASON });
    expect(status).toMatchObject({ state: 'signed_in', mode: 'break_glass', user: { username: 'frontdesk' } });
    expect(Math.abs(Date.parse(status.breakGlassEndsAt!) - (started + 60 * MINUTE))).toBeLessThan(5_000);
    const logged = ws.store().db.prepare('SELECT user_id, reason, started_at, expires_at, uploaded_at FROM break_glass').all() as { reason: string; uploaded_at: string | null; expires_at: string }[];
    expect(logged).toEqual([expect.objectContaining({ reason: REASON, uploaded_at: null, expires_at: status.breakGlassEndsAt })]);
    expect((await ws.caller.patients.list({ limit: 5 })).length).toBeGreaterThan(0);

    // It ends on time, even while the person is busy, and the store is then out of reach.
    for (let i = 0; i < 6; i++) {
      desk.clock.advance(10 * MINUTE - 2_000);
      await ws.caller.patients.list({ limit: 1 });
    }
    desk.clock.advance(12_000);
    expect(await ws.caller.session.status()).toMatchObject({ state: 'locked', lockReason: 'break_glass_ended', mode: 'break_glass' });
    expect(await refusal(ws.caller.patients.list({}))).toMatchObject({ code: 'STORE_LOCKED', message: expect.stringMatching(/Emergency access has ended/) });
    // The password alone does not extend it while the server is away.
    expect((await refusal(ws.caller.session.unlock({ password: password('northside') }))).code).toBe('UNAUTHENTICATED');
    expect(await ws.caller.session.signOut()).toMatchObject({ state: 'signed_out' });
    expect(await ws.caller.session.breakGlass({ ...creds('northside'), reason: `${REASON} (again)` })).toMatchObject({ mode: 'break_glass' });
    expect((ws.store().db.prepare('SELECT count(*) AS n FROM break_glass').get() as { n: number }).n).toBe(2);
  });

  it('emergency access while the server answers is an ordinary online sign-in, with nothing to log', async () => {
    const desk = desks.desk('emergency-online');
    const ws = desk.open(server.url);
    expect(await ws.caller.session.breakGlass({ ...creds('northside'), reason: REASON })).toMatchObject({ state: 'signed_in', mode: 'online' });
    expect(ws.store().db.prepare('SELECT count(*) AS n FROM break_glass').get()).toEqual({ n: 0 });
    // ... and a wrong password is the server's refusal, not an emergency.
    expect((await refusal(ws.caller.session.breakGlass({ ...creds('northside', 'frontdesk', 'wrong'), reason: REASON }))).code).toBe('INVALID_CREDENTIALS');
  });

  it('idle lock: every call but status, unlock and sign-out refuses; polls are not activity; sync keeps running; unlock counts failures', async () => {
    const desk = desks.desk('idle');
    const ws = desk.open(server.url);
    await ws.caller.session.signIn(creds('northside'));
    await ws.syncNow();
    desk.clock.advance(14 * MINUTE);
    await ws.caller.patients.list({ limit: 1 }); // activity
    desk.clock.advance(14 * MINUTE);
    for (let i = 0; i < 3; i++) {
      await ws.caller.sync.status(); // the badge's poll
      await ws.caller.session.status();
    }
    expect(await ws.caller.session.status()).toMatchObject({ state: 'signed_in' });
    desk.clock.advance(MINUTE);
    expect(await ws.caller.session.status()).toMatchObject({ state: 'locked', lockReason: 'idle', mode: 'online', user: { username: 'frontdesk' } });

    const allowed = new Set(['session.status', 'session.unlock', 'session.signOut']);
    const paths = Object.keys(localApiRouter._def.procedures);
    expect(paths.length).toBeGreaterThan(8);
    for (const path of paths.filter((p) => !allowed.has(p))) {
      // Paths nest (sync.conflicts.list): walk the caller down them.
      const call = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], ws.caller) as (input: unknown) => Promise<unknown>;
      expect(await refusal(call({})), path).toMatchObject({ code: 'STORE_LOCKED', message: expect.stringMatching(/locked after a while without activity/) });
    }

    // Locked, the store stays open and sync goes on: a patient from another desk arrives meanwhile.
    const other = desks.desk('idle-other').open(server.url);
    await other.caller.session.signIn(creds('northside', 'clinician'));
    const { id } = await other.caller.patients.create(samplePatient({ familyName: 'Whilelocked', mrn: 'PPL-0002' }));
    await other.syncNow();
    await ws.syncNow();

    expect(await refusal(ws.caller.session.unlock({ password: 'wrong' }))).toEqual({ code: 'INVALID_CREDENTIALS', message: 'That password is not right.' });
    expect(await ws.caller.session.unlock({ password: password('northside') })).toMatchObject({ state: 'signed_in', mode: 'online' });
    expect((await ws.caller.patients.list({ search: 'Whilelocked' })).map((p) => p.id)).toEqual([id]);

    // Manual lock; wrong passwords at the lock screen count towards the same lockout.
    expect(await ws.caller.session.lock()).toMatchObject({ state: 'locked', lockReason: 'manual' });
    for (let i = 1; i < 5; i++) await refusal(ws.caller.session.unlock({ password: `wrong-${i}` }));
    expect((await refusal(ws.caller.session.unlock({ password: 'wrong-5' }))).code).toBe('RATE_LIMITED');
    expect((await refusal(ws.caller.session.unlock({ password: password('northside') }))).code).toBe('RATE_LIMITED');
    desk.clock.advance(15 * MINUTE);
    expect(await ws.caller.session.unlock({ password: password('northside') })).toMatchObject({ state: 'signed_in' });
    await ws.caller.session.lock();
    expect(await ws.caller.session.signOut()).toMatchObject({ state: 'signed_out', user: null });
  });

  it('an offline session whose password the server no longer accepts is signed out when the network returns; its work is kept', async () => {
    const desk = desks.desk('stale');
    const ws: Workstation = desk.open(network.url);
    await ws.caller.session.signIn(creds('northside'));
    // As if the password had been changed on the server since: this desk knows an old one.
    const { user_id: userId } = ws.store().db.prepare('SELECT user_id FROM local_users').get() as { user_id: string };
    await rememberOnlineUser(ws.store(), { userId, username: 'frontdesk', displayName: 'Front Desk (demo)', role: 'front_desk' }, 'the-old-password', desk.clock.now());
    await ws.caller.session.signOut();

    network.down();
    expect(await ws.caller.session.signIn(creds('northside', 'frontdesk', 'the-old-password'))).toMatchObject({ mode: 'offline' });
    const { id } = await ws.caller.patients.create(samplePatient({ familyName: 'Staleworth', mrn: 'PPL-0003' }));
    network.up();
    await expect.poll(async () => (await ws.caller.session.status()).state, { timeout: 20_000, interval: 100 }).toBe('signed_out');
    expect((await ws.caller.session.status()).notice).toMatch(/signed out.*did not accept/);

    // Nothing was lost: an online sign-in pushes what was written offline.
    await ws.caller.session.signIn(creds('northside'));
    await ws.syncNow();
    expect(await ws.caller.sync.status()).toMatchObject({ pending: 0 });
    expect((await ws.caller.patients.list({ search: 'Staleworth' }))[0]).toMatchObject({ id, pending: false });
  });
});
