import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePatient } from '../store/test-fixtures.ts';
import { markDamaged } from '../store/store-integrity.ts';
import { flipByteInPage, lastUsedPage } from '../test-support/store-damage.ts';
import { freePort, startSyncServerProcess, syncServerAvailable, type SyncServerProcess } from '../test-support/sync-server-process.ts';
import type { Workstation } from '../workstation.ts';
import { createDesks, refusal, UNREACHABLE_URL, type Desk } from './testing/people-desks.ts';

const available = syncServerAvailable();
if (!available) console.warn('SKIPPED electron/people/org-switch.int.test.ts: sync-server/main.ts is not there yet');

const NORTHSIDE = 'Northside Family Practice';
const LAKEVIEW = 'Lakeview Veterinary Clinic';

/**
 * The org switcher on one desk, with a real sync server for the online sign-ins that make
 * the desk know people, then without it: the list offers a person only the orgs they have
 * signed in to here (and the file that says so names no one), and a switch that cannot
 * open its org offline leaves the person signed in where they were.
 */
describe.skipIf(!available)('people on the workstation: the org switcher (real sync server, then offline)', () => {
  let server: SyncServerProcess;
  const desks = createDesks();
  let desk: Desk;
  const tenants = new Map<string, string>();
  const password = (org: string) => server.demoPasswords.get(org) ?? '';
  const creds = (org: string, username = 'frontdesk', pw = password(org)) => ({ org, username, password: pw });

  beforeAll(async () => {
    server = await startSyncServerProcess({ port: await freePort(), dataDir: join(desks.desk('server').dataDir, 'server') });
    // Front desk uses both orgs on this desk; the clinician only Northside (though Lakeview has a clinician too).
    desk = desks.desk('switcher');
    const online = desk.open(server.url);
    for (const [org, username] of [['northside', 'frontdesk'], ['lakeview', 'frontdesk'], ['northside', 'clinician']] as const) {
      expect(await online.caller.session.signIn(creds(org, username))).toMatchObject({ state: 'signed_in', mode: 'online' });
      await online.syncNow();
      tenants.set(org, online.currentTenantId()!);
    }
    await online.close();
  }, 120_000);
  afterAll(async () => {
    await desks.cleanup();
    await server?.stop();
  });

  const codesOf = async (ws: Workstation) => (await ws.caller.session.knownOrgs()).map(({ code, current }) => ({ code, current }));

  it("lists only the signed-in person's orgs, and org-people.json holds no username in the clear", async () => {
    const ws = desk.open(UNREACHABLE_URL);
    expect(await ws.caller.session.signIn(creds('northside', 'clinician'))).toMatchObject({ mode: 'offline' });
    // Lakeview's store is on this desk, but the clinician never signed in to it here.
    expect(await codesOf(ws)).toEqual([{ code: 'northside', current: true }]);

    expect(await ws.caller.session.signIn(creds('northside'))).toMatchObject({ mode: 'offline', user: { username: 'frontdesk' } });
    expect(await codesOf(ws)).toEqual([
      { code: 'lakeview', current: false },
      { code: 'northside', current: true },
    ]);
    await ws.caller.session.signOut();
    expect(await ws.caller.session.knownOrgs()).toEqual([]);

    const file = readFileSync(join(desk.dataDir, 'org-people.json'), 'utf8');
    expect(Object.keys((JSON.parse(file) as { orgs: object }).orgs).sort()).toEqual([...tenants.values()].sort());
    for (const clear of ['frontdesk', 'clinician', 'Front Desk', 'Clinician (demo)', password('northside'), password('lakeview')]) {
      expect(file.toLowerCase()).not.toContain(clear.toLowerCase());
    }
  });

  it('keeps the current session when the other org cannot be opened offline, says so, and then switches', async () => {
    const ws = desk.open(UNREACHABLE_URL);
    await ws.caller.session.signIn(creds('northside'));
    const { id } = await ws.caller.patients.create(samplePatient({ familyName: 'Staysopen', mrn: 'SW-0001' }));
    const stillHere = async (why: string) => {
      expect(await ws.caller.session.status(), why).toMatchObject({ state: 'signed_in', mode: 'offline', org: { code: 'northside', name: NORTHSIDE } });
      expect((await ws.caller.patients.list({ search: 'Staysopen' })).map((p) => p.id), why).toEqual([id]);
    };
    const stillSignedIn = new RegExp(`You are still signed in to ${NORTHSIDE}\\.$`);

    const wrong = await refusal(ws.caller.session.signIn(creds('lakeview', 'frontdesk', 'not-the-password')));
    expect(wrong).toMatchObject({ code: 'INVALID_CREDENTIALS', message: expect.stringMatching(new RegExp(`^${LAKEVIEW} did not open: Sign-in failed\\.`)) });
    expect(wrong.message).toMatch(stillSignedIn);
    expect(wrong.message).not.toContain('not-the-password');
    await stillHere('after a wrong password');

    // A person the other org's store does not know (never signed in there, on this desk).
    expect(await refusal(ws.caller.session.signIn(creds('lakeview', 'clinician')))).toMatchObject({ code: 'INVALID_CREDENTIALS', message: expect.stringMatching(stillSignedIn) });
    await stillHere('after someone never signed in there');

    // An org never opened on this desk: no store is created for it.
    const nowhere = await refusal(ws.caller.session.signIn(creds('nowhere', 'frontdesk', 'whatever-it-is')));
    expect(nowhere).toMatchObject({ code: 'OFFLINE', message: expect.stringMatching(/not been signed in to on this workstation/) });
    expect(nowhere.message).toMatch(stillSignedIn);
    await stillHere('after an org unknown here');

    // The other org's local copy damaged (found by an earlier check): refused, this one stays.
    const lakePath = ws.storePath(tenants.get('lakeview')!);
    const lakeRead = desk.open(UNREACHABLE_URL); // a second app on the desk, only to find a page the open does not read
    await lakeRead.caller.session.signIn(creds('lakeview'));
    const page = lastUsedPage(lakeRead.store().db);
    await lakeRead.close();
    const original = flipByteInPage(lakePath, page);
    markDamaged(lakePath);
    const damaged = await refusal(ws.caller.session.signIn(creds('lakeview')));
    expect(damaged).toMatchObject({ code: 'STORE_MISMATCH', message: expect.stringMatching(/damaged/) });
    expect(damaged.message).toMatch(stillSignedIn);
    await stillHere('after a damaged store');

    // Put right, the switch goes through: Lakeview open, Northside closed, no Northside patient in sight.
    writeFileSync(lakePath, original);
    expect(await ws.caller.session.signIn(creds('lakeview'))).toMatchObject({ state: 'signed_in', mode: 'offline', org: { code: 'lakeview', name: LAKEVIEW } });
    expect(ws.currentTenantId()).toBe(tenants.get('lakeview'));
    expect(await ws.caller.patients.list({ search: 'Staysopen' })).toEqual([]);
    expect(existsSync(`${ws.storePath(tenants.get('northside')!)}-wal`), "Northside's store closed after the switch").toBe(false);
  });
});
