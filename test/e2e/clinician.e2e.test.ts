import type { Page } from 'playwright-core';
import { describe, expect, it, onTestFailed, vi } from 'vitest';
import { uuidv7 } from '../../shared/ids.ts';
import { DEMO_LINKED_PRACTITIONER } from '../../sync-server/demo/seed-staff-link.ts';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { chooseByKeyboard, noteArticle, orderRow, pressOn, typeInFocused } from './support/clinical-ui.ts';
import { axeAndShot as checkScreen, e2eStack, screenshot } from './support/e2e-stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { signIn } from './support/ui.ts';

/**
 * Issue 6, the clinician's screens end to end: My day (pick a practitioner, start an
 * encounter from an appointment), the encounter (draft, sign, read-only, amend, an order
 * through its statuses) by keyboard only, the same with the server cut, then syncing; the
 * front desk opens the same chart on another desk and sees the encounters, never a note.
 * My day opens on the practitioner linked to the signed-in user, and a colleague's note
 * names its author by the colleague's linked staff record.
 */
const chromiumOk = chromiumForSuite('clinician screens in Chromium');

// Letters only, like real note text; unique per run so "not in the DOM" means something.
const marker = (word: string) => `${word}${uuidv7().replace(/[^a-f]/g, '').slice(0, 8)}`;

describe.skipIf(!chromiumOk)('clinician: my day, chart, encounter, notes and orders (browser mode, real Chromium)', () => {
  const practitionerName = `Dr. Keyboard ${uuidv7().slice(-4)}`;
  let practitionerId = '';
  let locationId = '';
  // A second clinician, linked to the practitioner the test works with: their note's author has a name.
  const colleague = { username: 'colleague', password: `pw-${uuidv7()}` };
  // The clinician's desk (CL) sits behind a relay so the test can cut its server; the front desk (FD) does not.
  const stack = e2eStack({
    server: 'demo',
    stations: [{ name: 'CL', relay: true }, 'FD'],
    async prepare(server) {
      // Two more practitioners: Dr. Aardvark is listed first, so My day opening on the demo
      // clinician's linked one (DEMO_LINKED_PRACTITIONER) is the link at work, not the order.
      const northside = server.orgs.get('northside');
      if (!northside) throw new Error('demo org northside is expected');
      const { client } = await signedIn(server, { code: 'northside', ...demoUser(northside, 'admin') });
      const { userId: colleagueId } = await server.admin.createUser({ tenantId: northside.tenantId, ...colleague, displayName: 'Colleague (test)', role: 'clinician' });
      await client.personnel.staff.create.mutate({ displayName: 'Dr. Aardvark', isPractitioner: true, npi: null, jobRoles: ['physician'] });
      practitionerId = (await client.personnel.staff.create.mutate({ displayName: practitionerName, isPractitioner: true, npi: null, jobRoles: ['physician'], userId: colleagueId })).id;
      locationId = (await client.scheduling.locations.create.mutate({ name: `Room ${uuidv7().slice(-4)}`, kind: 'room' })).id;
    },
  });
  const axeAndShot = (page: Page, name: string) => checkScreen(page, 'clinician', name);

  /** On the encounter screen: draft, sign (then read-only), amend and sign, an order through its statuses — keys only. */
  async function documentEncounter(page: Page, words: { note: string; amendment: string; order: string }): Promise<void> {
    const main = page.getByRole('main');
    await pressOn(page, main.getByRole('button', { name: 'New note' }));
    // An empty note is named as such before anything is saved; focus returns to the text.
    await pressOn(page, main.getByRole('button', { name: 'Save draft' }));
    await main.getByText('Note text is required').waitFor();
    await typeInFocused(page, main.getByLabel('Note text'), `${words.note} first draft`);
    await pressOn(page, main.getByRole('button', { name: 'Save draft' }));
    const draft = noteArticle(page, `${words.note} first draft`);
    await draft.getByRole('heading', { name: /Draft/ }).waitFor();

    // Edit the own draft, then sign it (two steps: Sign asks, Sign note confirms).
    await pressOn(page, draft.getByRole('button', { name: 'Edit draft' }));
    await page.keyboard.press('End');
    await page.keyboard.type(' improving');
    await pressOn(page, main.getByRole('button', { name: 'Save changes' }));
    const note = noteArticle(page, `${words.note} first draft improving`);
    await note.getByRole('button', { name: 'Sign' }).waitFor();
    await pressOn(page, note.getByRole('button', { name: 'Sign' }));
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Sign note');
    await page.keyboard.press('Enter');
    await note.getByRole('heading', { name: /Signed/ }).waitFor();
    // Signed is final: no edit or sign control any more, only Amend.
    expect(await note.getByRole('button', { name: 'Edit draft' }).count()).toBe(0);
    expect(await note.getByRole('button', { name: 'Sign' }).count()).toBe(0);

    await pressOn(page, note.getByRole('button', { name: 'Amend' }));
    await typeInFocused(page, main.getByLabel('Note text'), `${words.amendment} dose corrected`);
    await pressOn(page, main.getByRole('button', { name: 'Save amendment' }));
    const amendment = noteArticle(page, `${words.amendment} dose corrected`);
    await amendment.getByRole('heading', { name: /Amendment draft/ }).waitFor();
    await note.getByRole('heading', { name: /Amended/ }).waitFor();
    await pressOn(page, amendment.getByRole('button', { name: 'Sign' }));
    await page.keyboard.press('Enter');
    await amendment.getByRole('heading', { name: /Amendment, signed/ }).waitFor();
    // The original text is untouched by the amendment.
    expect(await note.textContent()).toContain(`${words.note} first draft improving`);

    await pressOn(page, main.getByRole('button', { name: 'Place order' }));
    await chooseByKeyboard(page, main.getByLabel('Order kind'), 'Lab');
    await typeInFocused(page, main.getByLabel('Code'), '2345-7');
    await typeInFocused(page, main.getByLabel('Description'), words.order);
    await pressOn(page, main.getByRole('button', { name: 'Place order', exact: true }).last());
    const row = orderRow(page, words.order);
    await row.getByText('Active').waitFor();
    for (const [move, status] of [['Put on hold', 'On hold'], ['Resume', 'Active'], ['Complete', 'Completed']] as const) {
      await pressOn(page, row.getByRole('button', { name: move }));
      await row.getByText(status, { exact: true }).waitFor();
    }
    // Completed is final: the state machine offers no move, so no button.
    expect(await row.getByRole('button').count()).toBe(0);
  }

  it('clinician documents by keyboard online and offline; it syncs; the front desk sees encounters but no note text', async () => {
    const [cl, fd, relay] = [stack.station('CL'), stack.station('FD'), stack.relay('CL')];
    const northside = stack.org('northside');
    const online = { note: marker('Onlinenote'), amendment: marker('Onlineamend'), order: `Glucose ${marker('x')}` };
    const offline = { note: marker('Offlinenote'), amendment: marker('Offlineamend'), order: `Lipids ${marker('y')}` };

    const page = await stack.pages.open(cl);
    // On a failure, what the screen showed (a screenshot beats a locator timeout).
    onTestFailed(async () => {
      await screenshot(page, 'clinician', 'FAILED').catch(() => undefined);
    });
    await signIn(page, demoUser(northside, 'clinician'));
    await page.getByRole('heading', { level: 1, name: 'My day' }).waitFor({ timeout: 30_000 });
    await cl.workstation.syncNow();
    const patient = (await cl.workstation.caller.patients.list({ limit: 1 }))[0];
    if (!patient) throw new Error('the demo org has no patients');
    const today = new Date().toISOString().slice(0, 10);
    // Booked by the front desk (a clinician may not book) on the server; the clinician's desk pulls it.
    const { client: frontDesk } = await signedIn(stack.server, { code: 'northside', ...demoUser(northside, 'frontdesk') });
    await frontDesk.scheduling.appointments.book.mutate({
      patientId: patient.id, practitionerId, locationId, startsAt: `${today}T23:00:00.000Z`, endsAt: `${today}T23:30:00.000Z`,
      reason: 'Follow-up', practitionerName,
    });
    await vi.waitFor(
      async () => {
        await cl.workstation.syncNow();
        expect(cl.workstation.store().listAppointments().some((a) => a.patientId === patient.id && a.reason === 'Follow-up')).toBe(true);
      },
      { timeout: 30_000, interval: 500 },
    );
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'My day' }).waitFor({ timeout: 30_000 });

    // My day opens on the practitioner linked to the signed-in user (the demo seed links the clinician).
    const main = page.getByRole('main');
    await expect.poll(() => main.getByLabel('Practitioner').locator('option:checked').textContent(), { timeout: 15_000 }).toBe(DEMO_LINKED_PRACTITIONER);
    // Pick another practitioner by keyboard; the appointment shows with "Start encounter".
    await chooseByKeyboard(page, main.getByLabel('Practitioner'), practitionerName);
    const start = main.getByRole('button', { name: `Start encounter for ${patient.givenName}`, exact: false });
    await start.waitFor({ timeout: 15_000 });
    await axeAndShot(page, 'my-day');
    await pressOn(page, start);
    await page.getByRole('heading', { level: 1, name: /^Encounter/ }).waitFor();
    expect(page.url()).not.toContain(patient.familyName);
    expect(await main.getByText(practitionerName).count()).toBeGreaterThan(0);
    await documentEncounter(page, online);
    await axeAndShot(page, 'encounter');

    // Back on My day (keyboard): the appointment now opens its encounter, which is listed too.
    await pressOn(page, page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'My day' }));
    await page.getByRole('heading', { level: 1, name: 'My day' }).waitFor();
    const encounters = main.getByRole('table', { name: /^Encounters of the day/ });
    await expect.poll(() => encounters.getByRole('row').count(), { timeout: 15_000 }).toBe(2);
    expect(await main.getByRole('table', { name: /^Appointments/ }).getByRole('link', { name: /^Open encounter/ }).count()).toBe(1);
    expect(await main.getByRole('button', { name: /^Start encounter/ }).count()).toBe(0);

    // The chart (by keyboard, from the patient's name on My day): the encounter, both notes, the order.
    await pressOn(page, encounters.getByRole('link', { name: `${patient.familyName}, ${patient.givenName}`, exact: true }));
    await page.getByRole('heading', { level: 1, name: /^Chart/ }).waitFor();
    await main.getByText(`${online.note} first draft improving`).waitFor();
    expect(await orderRow(page, online.order).textContent()).toContain('Completed');
    await axeAndShot(page, 'chart-clinician');
    await vi.waitFor(async () => expect(await cl.workstation.caller.sync.status()).toMatchObject({ pending: 0 }), { timeout: 30_000, interval: 300 });
    // A colleague signs a note on the same encounter (on the server): the chart names them by
    // their linked staff record; the clinician's own notes say "By you".
    const encounterId = cl.workstation.store().encounters.ofPatient(patient.id)[0]!.id;
    const colleagueWords = marker('Colleague');
    const { client: other } = await signedIn(stack.server, { code: 'northside', ...colleague });
    await other.clinical.notes.sign.mutate({ id: (await other.clinical.notes.createDraft.mutate({ encounterId, kind: 'progress', body: colleagueWords })).id });
    await vi.waitFor(
      async () => {
        await cl.workstation.syncNow();
        expect(cl.workstation.store().notes.ofPatient(patient.id).some((n) => n.body === colleagueWords)).toBe(true);
      },
      { timeout: 30_000, interval: 500 },
    );
    const colleagueNote = noteArticle(page, colleagueWords);
    await colleagueNote.waitFor({ timeout: 15_000 });
    await expect.poll(() => colleagueNote.textContent(), { timeout: 15_000 }).toContain(`By ${practitionerName}`);
    expect(await noteArticle(page, `${online.note} first draft improving`).textContent()).toContain('By you');

    // The server is cut: the same work on a new encounter, opened from the chart.
    relay.down();
    await pressOn(page, main.getByRole('button', { name: 'Open encounter' }));
    await page.getByRole('heading', { level: 1, name: /^Encounter/ }).waitFor();
    await documentEncounter(page, offline);
    expect((await cl.workstation.caller.sync.status()).pending).toBeGreaterThan(0);
    await pressOn(page, main.getByRole('button', { name: 'Close encounter' }));
    await main.getByText('Closed', { exact: true }).waitFor();
    expect(await main.getByRole('button', { name: 'Place order' }).count()).toBe(0);

    // Server back: the outbox drains.
    relay.up();
    await vi.waitFor(
      async () => {
        await cl.workstation.syncNow();
        expect(await cl.workstation.caller.sync.status()).toMatchObject({ pending: 0 });
      },
      { timeout: 60_000, interval: 1_000 },
    );
    expect(stack.pages.pageErrors).toEqual([]);
    // The server holds what was written offline: both notes and the amendment, signed.
    const { client: clinician } = await signedIn(stack.server, { code: 'northside', ...demoUser(northside, 'clinician') });
    const onServer = await clinician.clinical.notes.list.query({ patientId: patient.id });
    for (const words of [online, offline]) {
      expect(onServer.find((n) => n.body.includes(words.note))).toMatchObject({ status: 'signed', body: `${words.note} first draft improving` });
      expect(onServer.find((n) => n.body.includes(words.amendment))).toMatchObject({ status: 'signed', amendsId: expect.any(String) });
    }

    // The front desk on another desk: both encounters arrived through the server; no note text, no orders.
    const desk = await stack.openSignedIn(fd, demoUser(northside, 'frontdesk'));
    await desk.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 30_000 });
    await vi.waitFor(
      async () => {
        await fd.workstation.syncNow();
        expect(fd.workstation.store().encounters.ofPatient(patient.id)).toHaveLength(2);
      },
      { timeout: 60_000, interval: 1_000 },
    );
    await desk.goto(`${new URL(desk.url()).origin}${new URL(desk.url()).pathname}#/chart/${patient.id}`);
    const deskMain = desk.getByRole('main');
    await deskMain.getByText('Clinical notes are not shown for your role.').waitFor({ timeout: 15_000 });
    await expect.poll(() => deskMain.getByRole('link', { name: /^View/ }).count(), { timeout: 15_000 }).toBe(2);
    await deskMain.getByText('Orders are not shown for your role.').waitFor();
    const html = await desk.content();
    for (const words of [online, offline]) {
      expect(html).not.toContain(words.note);
      expect(html).not.toContain(words.amendment);
      expect(html).not.toContain(words.order);
    }
    await axeAndShot(desk, 'chart-front-desk');
    // Opening an encounter shows its details, still no note.
    await pressOn(desk, deskMain.getByRole('link', { name: /^View/ }).first());
    await deskMain.getByRole('heading', { level: 2, name: 'Details' }).waitFor();
    await deskMain.getByText('Clinical notes are not shown for your role.').waitFor();
    expect(await desk.content()).not.toContain(online.note);
    await axeAndShot(desk, 'encounter-front-desk');
    expect(stack.pages.pageErrors).toEqual([]);
  }, 300_000);
});
