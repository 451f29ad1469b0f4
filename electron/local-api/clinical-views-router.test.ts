import { describe, expect, it } from 'vitest';
import { formatHlc } from '../../shared/hlc.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { Role } from '../../shared/sync/auth.ts';
import { freshStorePerTest } from '../test-support/fresh-store.ts';
import { refusal, storeOnlyCaller } from '../test-support/local-api-caller.ts';
import type { OrgStore } from '../store/org-store.ts';

const openFresh = freshStorePerTest();

/**
 * clinicalViews.* and staff.* on a real encrypted store, as a signed-in person of a role.
 * Only the store and the session's user reach these procedures.
 */
const callerAs = (store: OrgStore, role: Role | null) => storeOnlyCaller(store, { role });

function seeded() {
  const s = openFresh();
  const patientId = s.patients.create({ givenName: 'Ada', familyName: 'Quill', birthDate: '1980-02-03', sex: 'female', phone: '', mrn: 'MRN-7' }).id;
  const encounterId = s.encounters.open({ patientId, startedAt: new Date(Date.now() - 60_000).toISOString() }).id;
  const author = uuidv7();
  const noteId = s.notes.createDraft(author, { encounterId, kind: 'progress', body: 'Secretmarker words' }).id;
  const orderId = s.orders.place(author, { encounterId, kind: 'lab', code: '2345-7', description: 'Glucose' }).id;
  return { s, patientId, encounterId, noteId, orderId };
}

describe('local API: clinicalViews and staff', () => {
  it('a clinician gets the encounter with its notes and orders, and patient headers', async () => {
    const { s, patientId, encounterId, noteId, orderId } = seeded();
    const caller = callerAs(s, 'clinician');
    const view = await caller.clinicalViews.encounter({ id: encounterId });
    expect(view.encounter).toMatchObject({ id: encounterId, patientId, status: 'open' });
    expect(view.patient).toEqual({ id: patientId, givenName: 'Ada', familyName: 'Quill', birthDate: '1980-02-03', mrn: 'MRN-7' });
    expect(view.notes?.map((n) => [n.id, n.body])).toEqual([[noteId, 'Secretmarker words']]);
    expect(view.orders?.map((o) => [o.id, o.status])).toEqual([[orderId, 'active']]);
    // Unknown ids are left out, duplicates answered once.
    expect((await caller.clinicalViews.patients({ ids: [patientId, uuidv7(), patientId] })).map((p) => p.id)).toEqual([patientId]);
    expect(await refusal(caller.clinicalViews.encounter({ id: uuidv7() }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('the front desk gets the encounter but null notes and orders (no note text at all)', async () => {
    const { s, encounterId } = seeded();
    const view = await callerAs(s, 'front_desk').clinicalViews.encounter({ id: encounterId });
    expect(view).toMatchObject({ notes: null, orders: null, encounter: { id: encounterId } });
    expect(JSON.stringify(view)).not.toContain('Secretmarker');
  });

  it('refuses without a session, and a role without encounters.read', async () => {
    const { s, encounterId } = seeded();
    expect(await refusal(callerAs(s, null).clinicalViews.encounter({ id: encounterId }))).toMatchObject({ code: 'STORE_LOCKED' });
    // An org admin runs the practice's set-up, not its charts.
    expect(await refusal(callerAs(s, 'org_admin').clinicalViews.patients({ ids: [] }))).toEqual({
      code: 'FORBIDDEN',
      message: 'Your role (org admin) may not see encounters (dates, status, practitioner; no note contents).',
    });
  });

  it('staff.practitioners lists active practitioners by name, not other staff', async () => {
    const s = openFresh();
    const serverHlc = formatHlc({ ms: Date.now(), counter: 0, node: 'server' });
    const member = (displayName: string, isPractitioner: boolean, active: boolean) => ({
      seq: uuidv7(), entity: 'staff_member', id: uuidv7(), op: 'upsert',
      fields: { displayName, jobTitle: '', jobRoles: [], isPractitioner, npi: null, active }, fieldHlc: {}, version: 1,
    }) as const;
    const changes = [member('Dr. Zed', true, true), member('Dr. Able', true, true), member('Reception', false, true), member('Dr. Gone', true, false)];
    changes.forEach((change, i) => s.applyPage({ protocolVersion: 1, tenantId: s.tenantId, domain: 'personnel', changes: [{ ...change, seq: String(i + 1) }], cursor: String(i + 1), hasMore: false, serverHlc }));
    const listed = await callerAs(s, 'clinician').staff.practitioners();
    expect(listed.map((p) => p.displayName)).toEqual(['Dr. Able', 'Dr. Zed']);
    expect(listed[0]).toEqual({ id: changes[1]!.id, displayName: 'Dr. Able', linkedToYou: false });
    expect(await callerAs(s, 'front_desk').staff.practitioners()).toEqual(listed);
    expect((await refusal(callerAs(s, 'it_admin').staff.practitioners())).code).toBe('FORBIDDEN');
  });

  /** Staff rows as the personnel feed brings them, applied to the store one page each. */
  function pullStaff(s: OrgStore, members: { id?: string; displayName: string; isPractitioner?: boolean; active?: boolean; userId: string | null }[]) {
    const serverHlc = formatHlc({ ms: Date.now(), counter: 0, node: 'server' });
    const page = (s as OrgStore & { pulled?: number }).pulled ?? 0;
    const changes = members.map((m, i) => ({
      seq: String(page * 100 + i + 1), entity: 'staff_member', id: m.id ?? uuidv7(), op: 'upsert', version: 1, fieldHlc: {},
      fields: { displayName: m.displayName, jobTitle: '', jobRoles: [], isPractitioner: m.isPractitioner ?? true, npi: null, active: m.active ?? true, userId: m.userId },
    }) as const);
    s.applyPage({ protocolVersion: 1, tenantId: s.tenantId, domain: 'personnel', changes, cursor: String(page * 100 + members.length), hasMore: false, serverHlc });
    (s as OrgStore & { pulled?: number }).pulled = page + 1;
    return changes.map((c) => c.id);
  }

  it("staff.practitioners marks the signed-in user's linked practitioner (My day opens on it), and no one else's", async () => {
    const s = openFresh();
    const me = uuidv7();
    const colleague = uuidv7();
    const [, mine] = pullStaff(s, [
      { displayName: 'Dr. Able', userId: colleague },
      { displayName: 'Dr. Mine', userId: me },
      { displayName: 'Dr. Unlinked', userId: null },
    ]);
    const listed = await storeOnlyCaller(s, { role: 'clinician', userId: me }).staff.practitioners();
    expect(listed.filter((p) => p.linkedToYou).map((p) => p.id)).toEqual([mine]);
    // Another user, linked to nothing: no practitioner is theirs, so My day falls back to the remembered or first one.
    expect((await storeOnlyCaller(s, { role: 'clinician', userId: uuidv7() }).staff.practitioners()).some((p) => p.linkedToYou)).toBe(false);
    // Unlinking on the server (a later page) takes the mark away.
    pullStaff(s, [{ id: mine!, displayName: 'Dr. Mine', userId: null }]);
    expect((await storeOnlyCaller(s, { role: 'clinician', userId: me }).staff.practitioners()).some((p) => p.linkedToYou)).toBe(false);
  });

  it("staff.authorNames names note authors by their linked staff record (inactive too); unknown authors are left out", async () => {
    const s = openFresh();
    const ada = uuidv7();
    const gone = uuidv7();
    const stranger = uuidv7();
    pullStaff(s, [
      { displayName: 'Dr Ada Lovelace', userId: ada },
      { displayName: 'Nurse Left', isPractitioner: false, active: false, userId: gone },
      { displayName: 'Dr. Unlinked', userId: null },
    ]);
    const names = await callerAs(s, 'clinician').staff.authorNames({ userIds: [ada, gone, stranger, ada] });
    expect(names.sort((x, y) => x.displayName.localeCompare(y.displayName))).toEqual([
      { userId: ada, displayName: 'Dr Ada Lovelace' },
      { userId: gone, displayName: 'Nurse Left' },
    ]);
    expect(await callerAs(s, 'clinician').staff.authorNames({ userIds: [] })).toEqual([]);
    // Staff names are personnel data the front desk may see; it still never gets a note's text (above).
    expect(await callerAs(s, 'front_desk').staff.authorNames({ userIds: [ada] })).toEqual([{ userId: ada, displayName: 'Dr Ada Lovelace' }]);
    expect((await refusal(callerAs(s, 'it_admin').staff.authorNames({ userIds: [ada] }))).code).toBe('FORBIDDEN');
    expect((await refusal(callerAs(s, 'clinician').staff.authorNames({ userIds: ['nope'] }))).code).toBe('VALIDATION');
  });
});
