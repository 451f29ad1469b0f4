import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_NEEDS_SERVER } from '../../electron/local-api/patient-linking.ts';
import { refusal } from '../../electron/people/testing/people-desks.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { startSyncServer, type SyncServerHandle } from '../../sync-server/server.ts';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { closeWorkstations, openWorkstation, removeDir, type TestWorkstation } from '../support/workstations.ts';

/**
 * Issue 6, linking an existing patient identity from the desk: org A (northside) registers
 * patients on its workstation; one gets a national id, another a one-time link code. Org B
 * (lakeview) links each through its OWN local API (the server does the strong match with
 * B's session) and the patient is in B's encrypted store right after. Wrong evidence gets
 * the server's one refusal sentence and nothing arrives; offline, a clear sentence.
 */
describe('linking an existing patient from the desk (local API → real server)', () => {
  let server: SyncServerHandle;
  let a: TestWorkstation;
  let b: TestWorkstation;
  // Unique names so the assertions cannot pass on demo data.
  const tag = uuidv7().replace(/[^a-f]/g, '').slice(0, 6);
  const ada = { givenName: 'Ada', familyName: `Linkwell${tag}`, birthDate: '1975-12-10', sex: 'female' as const, phone: '555-0199', mrn: 'A-ADA' };
  const grace = { givenName: 'Grace', familyName: `Codeholder${tag}`, birthDate: '1906-12-09', sex: 'female' as const, phone: '', mrn: 'A-GRACE' };
  const ids = { ada: '', grace: '' };
  let code = '';
  const inB = (id: string) => b.workstation.store().patients.get(id);

  beforeAll(async () => {
    server = await startSyncServer({ port: 0, database: { kind: 'pglite' }, seedDemo: true });
    a = await openWorkstation(server, 'link-desk-a', 'northside');
    b = await openWorkstation(server, 'link-desk-b', 'lakeview');
    ids.ada = (await a.workstation.caller.patients.create(ada)).id;
    ids.grace = (await a.workstation.caller.patients.create(grace)).id;
    await a.workstation.syncNow();
    // What org A's desk does elsewhere: record the identifier, give Grace a code to take along.
    const password = server.demo!.orgs.find((org) => org.code === 'northside')!.users.find((u) => u.username === 'frontdesk')!.password;
    const { client } = await signedIn(server, { code: 'northside', username: 'frontdesk', password });
    await client.patients.identifiers.add.mutate({ patientId: ids.ada, system: 'national_id', value: '123-45-6789' });
    code = (await client.patients.linkCode.issue.mutate({ patientId: ids.grace })).code;
    await b.workstation.syncNow();
  }, 120_000);

  afterAll(async () => {
    await closeWorkstations(a, b);
    await server?.close();
  });

  it('refuses wrong evidence with one sentence that says nothing about who exists; nothing arrives', async () => {
    const noMatch = { code: 'NOT_FOUND', message: 'No patient matched these details. Please check them with the patient and try again.' };
    const caller = b.workstation.caller;
    expect(await refusal(caller.patients.linkByCode({ code, birthDate: '1906-12-08', mrn: 'B-G' }))).toEqual(noMatch);
    expect(await refusal(caller.patients.linkByCode({ code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: grace.birthDate, mrn: 'B-G' }))).toEqual(noMatch);
    expect(await refusal(caller.patients.linkExisting({ system: 'national_id', value: '999999999', givenName: 'Ada', familyName: ada.familyName, birthDate: ada.birthDate, mrn: 'B-A' }))).toEqual(noMatch);
    expect(await refusal(caller.patients.linkExisting({ system: 'national_id', value: '123456789', givenName: 'Eve', familyName: ada.familyName, birthDate: ada.birthDate, mrn: 'B-A' }))).toEqual(noMatch);
    expect(await refusal(caller.patients.linkByCode({ code: 'not a code', birthDate: grace.birthDate, mrn: '' }))).toMatchObject({
      code: 'VALIDATION',
      fieldErrors: { code: 'must be a link code of 16 letters and digits' },
    });
    expect(inB(ids.ada)).toBeUndefined();
    expect(inB(ids.grace)).toBeUndefined();
    expect(await caller.patients.list({ search: ada.familyName })).toEqual([]);
    expect(await caller.patients.list({ search: grace.familyName })).toEqual([]);
  });

  it('links by identifier + names + birth date and by link code; each patient is in B’s store with B’s MRN at once', async () => {
    const caller = b.workstation.caller;
    const byId = await caller.patients.linkExisting({ system: 'national_id', value: '123 45 6789', givenName: 'ADA', familyName: ada.familyName.toLowerCase(), birthDate: ada.birthDate, mrn: 'B-ADA' });
    expect(byId).toEqual({ patientId: ids.ada, patient: expect.objectContaining({ id: ids.ada, familyName: ada.familyName, mrn: 'B-ADA' }) });
    expect(inB(ids.ada)).toMatchObject({ givenName: 'Ada', familyName: ada.familyName, mrn: 'B-ADA' });

    const byCode = await caller.patients.linkByCode({ code: code.replaceAll('-', ' ').toLowerCase(), birthDate: grace.birthDate, mrn: 'B-GRACE' });
    expect(byCode).toEqual({ patientId: ids.grace, patient: expect.objectContaining({ id: ids.grace, mrn: 'B-GRACE' }) });
    expect((await caller.patients.list({ search: `codeholder${tag}` })).map((p) => [p.id, p.mrn])).toEqual([[ids.grace, 'B-GRACE']]);

    // Linked already: the server says so; the code worked once.
    expect(await refusal(caller.patients.linkByCode({ code, birthDate: grace.birthDate, mrn: 'B-2' }))).toMatchObject({ code: expect.stringMatching(/CONFLICT|NOT_FOUND/) });
    // A's own MRN never reached B.
    expect(JSON.stringify(await caller.patients.list({ search: ada.familyName }))).toContain('B-ADA');
    expect(JSON.stringify(await caller.patients.list({ search: ada.familyName }))).not.toMatch(/A-ADA|A-GRACE/);
  });

  it('a role without patients.link is refused by the local API before anything is sent', async () => {
    const clinician = await openWorkstation(server, 'link-desk-clin', 'lakeview', 'clinician');
    try {
      expect(await refusal(clinician.workstation.caller.patients.linkByCode({ code, birthDate: grace.birthDate, mrn: 'C-1' }))).toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      await clinician.close();
      removeDir(clinician.dataDir);
    }
  });

  it('with the server gone: "Linking needs the server", and the desk keeps working', async () => {
    await server.close();
    const caller = b.workstation.caller;
    expect(await refusal(caller.patients.linkByCode({ code: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', birthDate: grace.birthDate, mrn: 'B-9' }))).toEqual({ code: 'OFFLINE', message: LINK_NEEDS_SERVER });
    expect((await caller.patients.list({ search: ada.familyName })).map((p) => p.id)).toEqual([ids.ada]);
    const created = await caller.patients.create({ givenName: 'Offline', familyName: `Person${tag}`, birthDate: '2000-01-01', sex: 'unknown', phone: '', mrn: '' });
    expect(inB(created.id)).toBeDefined();
  }, 60_000);
});
