import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chooseByKeyboard, tabTo } from './support/clinical-ui.ts';
import { axeAndShot, e2eStack, screenshot } from './support/e2e-stack.ts';
import { freeSlotsToday, giveTodayDemoHours, syncUntil, today } from './support/schedule-setup.ts';
import type { WorkstationUnderTest } from './support/stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { scheduledAppointment } from './support/ui.ts';

/**
 * The front desk's schedule end to end (issue 6), in real Chromium against real workstations
 * and the real sync server: the desk lands on today's schedule, books a patient into a free
 * slot by keyboard, reschedules, cancels, marks a no-show and checks a patient in (which opens
 * the encounter), switches to the week and filters; keeps working with the server gone; and
 * two desks that double-book one practitioner offline see the server's booking conflict and
 * settle it by cancelling one.
 */
const chromiumOk = chromiumForSuite('front desk schedule in Chromium');
const SUITE = 'front-desk-schedule';
const shot = (page: Page, screen: string) => screenshot(page, SUITE, screen);

type Patient = { id: string; givenName: string; familyName: string; mrn: string };
/** Focus sits on the locator's element (polled: focus returns once the schedule has refetched). */
const hasFocus = (target: Locator) => expect.poll(() => target.evaluate((element) => element === document.activeElement), { timeout: 10_000 }).toBe(true);
/** The schedule's day heading, where focus goes when the control that opened a form is gone. */
const dayHeading = (page: Page) => page.locator('h2.day-heading');
const DEMO_PRACTITIONERS = ['Dr. Demo Alpha', 'Dr. Sample Beta', 'Dr. Test Gamma'];

const nameOf = (p: Patient) => `${p.givenName} ${p.familyName}`;
const labelOf = (p: Patient) => `${p.familyName}, ${p.givenName} (${p.mrn})`;

describe.skipIf(!chromiumOk)('front desk schedule (browser mode, real Chromium)', () => {
  const stack = e2eStack({
    server: 'demo',
    stations: ['FA', 'FB'],
    relays: true,
    prepare: (server) => giveTodayDemoHours(server, server.orgs.get('northside')!),
  });
  /** Each desk's page, signed in as the front desk by the first test and kept for the second. */
  let pageA: Page;
  let pageB: Page;

  const freeSlots = freeSlotsToday;

  /** Demo names repeat; the test picks patients whose name nobody else has, so the screen's text finds just them. */
  async function distinctlyNamedPatients(station: WorkstationUnderTest, count: number): Promise<Patient[]> {
    const all = (await station.workstation.caller.patients.list({ limit: 500 })) as Patient[];
    const unique = all.filter((p) => all.filter((q) => nameOf(q) === nameOf(p)).length === 1);
    if (unique.length < count) throw new Error('the demo org has too few distinctly named patients');
    return unique.slice(0, count);
  }

  async function signedInDesk(station: WorkstationUnderTest): Promise<Page> {
    const page = await stack.openSignedIn(station, demoUser(stack.org('northside')));
    // The desk's home is the schedule.
    await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor({ timeout: 30_000 });
    await page.locator('section[aria-labelledby="schedule-heading"][aria-busy="false"]').waitFor({ timeout: 30_000 });
    await syncUntil(station, page.getByRole('button', { name: /^Book \d\d:\d\d with Dr\. Demo Alpha in Room 1$/ }), 'present');
    return page;
  }

  it('books by keyboard, reschedules, cancels, marks a no-show, checks in, shows the week and filters; works offline', async () => {
    const [a, b, relayA] = [stack.station('FA'), stack.station('FB'), stack.relay('FA')];
    // Two desks, two browser contexts: they sign in and load side by side.
    [pageA, pageB] = await Promise.all([signedInDesk(a), signedInDesk(b)]);
    const page = pageA;

    // Today's columns, one per practitioner and room, with free slots.
    await page.getByRole('heading', { level: 3, name: 'Dr. Demo Alpha — Room 1' }).waitFor();
    expect(await page.getByRole('heading', { level: 3, name: 'Dr. Sample Beta — Room 2' }).count()).toBe(1);
    await axeAndShot(page, SUITE, 'day');

    const patients = await distinctlyNamedPatients(a, 6);
    const [booked, moved, cancelled, noShow, checkedIn, offline] = patients as [Patient, Patient, Patient, Patient, Patient, Patient];

    // Book a patient into Alpha's first free slot with the keyboard only.
    const slot = (await freeSlots(a, 'Dr. Demo Alpha'))[0]!;
    const slotButton = page.getByRole('button', { name: `Book ${slot} with Dr. Demo Alpha in Room 1`, exact: true });
    await slotButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: `Book ${slot} with Dr. Demo Alpha in Room 1` }).waitFor();
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).toBe('search');
    await page.keyboard.type(booked.mrn);
    const patientSelect = page.getByLabel('Patient', { exact: true });
    await patientSelect.locator('option', { hasText: labelOf(booked) }).waitFor({ state: 'attached', timeout: 15_000 });
    // The search narrows the list (debounced): the placeholder and the one patient with that MRN.
    await expect.poll(() => patientSelect.locator('option').count(), { timeout: 15_000 }).toBe(2);
    await tabTo(page, patientSelect);
    await page.keyboard.press('ArrowDown');
    expect(await patientSelect.inputValue()).toBe(booked.id);
    expect(await page.getByLabel('Start time', { exact: true }).inputValue()).toBe(slot);
    // Practitioner and location are choices (selects) with the slot's values chosen.
    const practitionerSelect = page.getByRole('combobox', { name: 'Practitioner', exact: true });
    expect(await practitionerSelect.inputValue()).toBe('Dr. Demo Alpha');
    expect(await page.getByRole('combobox', { name: 'Location', exact: true }).inputValue()).toBe('Room 1');
    await expect.poll(() => practitionerSelect.locator('option').allTextContents()).toEqual(expect.arrayContaining(['No practitioner', ...DEMO_PRACTITIONERS]));
    await axeAndShot(page, SUITE, 'booking-form');
    await tabTo(page, page.getByLabel('Reason', { exact: true }));
    await page.keyboard.type('Keyboard booking');
    await page.keyboard.press('Enter');
    await scheduledAppointment(page, nameOf(booked), 'Keyboard booking').waitFor({ timeout: 15_000 });
    expect(await slotButton.count()).toBe(0);
    // The slot that opened the form is booked now: focus lands on the day's heading.
    await hasFocus(dayHeading(page));
    const bookedRow = (await a.workstation.caller.appointments.list()).find((x) => x.patientId === booked.id && x.reason === 'Keyboard booking');
    expect(bookedRow).toMatchObject({ startsAt: `${today}T${slot}:00.000Z`, practitionerName: 'Dr. Demo Alpha', location: 'Room 1', status: 'booked' });

    // Four more in Beta's column, to reschedule, cancel, no-show and check in from the screen.
    const beta = await freeSlots(a, 'Dr. Sample Beta');
    const ids: Record<string, string> = {};
    const times: Record<string, string> = {};
    for (const [i, [key, patient]] of ([['moved', moved], ['cancelled', cancelled], ['noShow', noShow], ['checkedIn', checkedIn]] as const).entries()) {
      const start = beta[i]!;
      times[key] = start;
      const startsAt = `${today}T${start}:00.000Z`;
      const endsAt = new Date(Date.parse(startsAt) + 30 * 60_000).toISOString();
      ids[key] = (await a.workstation.caller.appointments.create({ patientId: patient!.id, startsAt, endsAt, status: 'booked', reason: `Desk ${key}`, practitionerName: 'Dr. Sample Beta', location: 'Room 2' })).id;
    }
    await page.getByRole('button', { name: 'Today' }).click();
    await scheduledAppointment(page, nameOf(checkedIn)).waitFor({ timeout: 15_000 });

    const newTime = beta.at(-1)!;
    const rescheduleMoved = page.getByRole('button', { name: `Reschedule ${nameOf(moved)}, ${times['moved']} with Dr. Sample Beta`, exact: true });
    // Dismissed with Escape: focus returns to the Reschedule button that opened it.
    await rescheduleMoved.click();
    await page.getByRole('heading', { level: 2, name: `Reschedule ${nameOf(moved)}` }).waitFor();
    await page.keyboard.press('Escape');
    await hasFocus(rescheduleMoved);
    await page.keyboard.press('Enter');
    const location = page.getByRole('combobox', { name: 'Location', exact: true });
    expect(await page.getByRole('combobox', { name: 'Practitioner', exact: true }).inputValue()).toBe('Dr. Sample Beta');
    expect(await location.inputValue()).toBe('Room 2');
    // By keyboard: the room can change and change back.
    await chooseByKeyboard(page, location, 'Room 3');
    expect(await location.inputValue()).toBe('Room 3');
    await chooseByKeyboard(page, location, 'Room 2');
    await page.getByLabel('New start time').fill(newTime);
    await axeAndShot(page, SUITE, 'reschedule-form');
    await page.getByRole('button', { name: 'Move appointment' }).click();
    await page.getByText('Appointment moved.').waitFor();
    expect(a.workstation.store().appointments.get(ids['moved']!)).toMatchObject({ startsAt: `${today}T${newTime}:00.000Z`, location: 'Room 2' });
    // Saved: the same card's Reschedule button (now naming the new time) has focus again.
    await hasFocus(page.getByRole('button', { name: `Reschedule ${nameOf(moved)}, ${newTime} with Dr. Sample Beta`, exact: true }));

    // Cancel: "Keep it" returns focus to Cancel; confirming leaves the card, marked, with focus on it.
    const cancelButton = page.getByRole('button', { name: `Cancel ${nameOf(cancelled)}, ${times['cancelled']} with Dr. Sample Beta`, exact: true });
    await cancelButton.click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await hasFocus(cancelButton);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Yes, cancel appointment' }).click();
    await page.getByText('cancelled; the slot is free again').waitFor();
    expect(a.workstation.store().appointments.get(ids['cancelled']!)?.status).toBe('cancelled');
    const cancelledCard = scheduledAppointment(page, nameOf(cancelled), 'Desk cancelled');
    await cancelledCard.getByText('Cancelled', { exact: true }).waitFor();
    await hasFocus(cancelledCard);
    expect(await cancelledCard.getByRole('button').count()).toBe(0);
    // The slot it held is bookable again, next to it.
    await page.getByRole('button', { name: `Book ${times['cancelled']} with Dr. Sample Beta in Room 2`, exact: true }).waitFor();
    await axeAndShot(page, SUITE, 'day-cancelled');

    // No-show: stays on the schedule, frees its slot, and can still check in late.
    await page.getByRole('button', { name: `No-show ${nameOf(noShow)}, ${times['noShow']} with Dr. Sample Beta`, exact: true }).click();
    await page.getByText('marked as a no-show').waitFor();
    expect(a.workstation.store().appointments.get(ids['noShow']!)?.status).toBe('no_show');
    const noShowCard = scheduledAppointment(page, nameOf(noShow), 'Desk noShow');
    await noShowCard.getByText('No-show', { exact: true }).waitFor();
    await hasFocus(noShowCard);
    expect(await noShowCard.getByRole('button').allTextContents()).toEqual(['Check in']);
    await page.getByRole('button', { name: `Book ${times['noShow']} with Dr. Sample Beta in Room 2`, exact: true }).waitFor();
    await axeAndShot(page, SUITE, 'day-no-show');
    await noShowCard.getByRole('button', { name: `Check in ${nameOf(noShow)}, ${times['noShow']} with Dr. Sample Beta`, exact: true }).click();
    await noShowCard.getByText('Checked in', { exact: true }).waitFor();
    expect(a.workstation.store().appointments.get(ids['noShow']!)?.status).toBe('checked_in');
    expect(a.workstation.store().encounters.ofPatient(noShow.id)).toEqual([expect.objectContaining({ appointmentId: ids['noShow'], status: 'open' })]);

    await page.getByRole('button', { name: `Check in ${nameOf(checkedIn)}, ${times['checkedIn']} with Dr. Sample Beta`, exact: true }).click();
    await scheduledAppointment(page, nameOf(checkedIn)).getByText('Checked in', { exact: true }).waitFor();
    const betaId = (await a.workstation.caller.staff.practitioners()).find((p) => p.displayName === 'Dr. Sample Beta')!.id;
    expect(a.workstation.store().encounters.ofPatient(checkedIn.id)).toEqual([expect.objectContaining({ appointmentId: ids['checkedIn'], practitionerId: betaId, status: 'open' })]);
    await shot(page, 'day-after-actions');

    // The week, then filters.
    await page.getByRole('button', { name: 'Week', exact: true }).click();
    await page.getByRole('heading', { level: 2, name: /^Week of / }).waitFor();
    await page.getByRole('heading', { level: 4 }).first().waitFor();
    // The week shows the cancelled visit too, marked in words.
    await scheduledAppointment(page, nameOf(cancelled), 'Desk cancelled').getByText('Cancelled', { exact: true }).waitFor();
    await axeAndShot(page, SUITE, 'week');
    await page.getByLabel('Practitioner filter').selectOption({ label: 'Dr. Demo Alpha' });
    await page.getByLabel('Location filter').selectOption({ label: 'Room 1' });
    await expect.poll(() => page.getByRole('heading', { level: 3 }).allTextContents()).toEqual(['Dr. Demo Alpha — Room 1']);
    await page.getByLabel('Practitioner filter').selectOption({ label: 'All practitioners' });
    await page.getByLabel('Location filter').selectOption({ label: 'All locations' });
    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Dr. Sample Beta — Room 2' }).waitFor();

    // Everything reaches the server before the cable is pulled.
    await syncUntil(a, page.getByText('All changes synced'), 'present');

    // Offline: the schedule still books and cancels; the pending counter rises.
    relayA.down();
    const gamma = (await freeSlots(a, 'Dr. Test Gamma'))[0]!;
    await page.getByRole('button', { name: `Book ${gamma} with Dr. Test Gamma in Room 3`, exact: true }).click();
    await page.getByRole('searchbox', { name: 'Find patient' }).fill(offline.mrn);
    await page.getByLabel('Patient', { exact: true }).locator('option', { hasText: labelOf(offline) }).waitFor({ state: 'attached' });
    await page.getByLabel('Patient', { exact: true }).selectOption({ label: labelOf(offline) });
    await page.getByRole('button', { name: 'Save appointment' }).click();
    await scheduledAppointment(page, nameOf(offline)).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: `Cancel ${nameOf(booked)}, ${slot} with Dr. Demo Alpha`, exact: true }).click();
    await page.getByRole('button', { name: 'Yes, cancel appointment' }).click();
    await page.getByText('cancelled; the slot is free again').waitFor();
    await page.getByText('2 changes waiting to sync').first().waitFor({ timeout: 15_000 });
    expect(a.workstation.store().pendingCount()).toBe(2);
    await shot(page, 'offline');

    // Back online: the changes reach the server, and through it the other desk.
    relayA.up();
    await syncUntil(a, page.getByText('All changes synced'), 'present');
    await b.workstation.syncNow();
    const onB = (await b.workstation.caller.appointments.list()).filter((x) => Object.values(ids).includes(x.id) || x.patientId === offline.id || x.id === bookedRow!.id);
    const statusOf = (id: string) => onB.find((x) => x.id === id)?.status;
    expect(statusOf(bookedRow!.id)).toBe('cancelled');
    expect(statusOf(ids['cancelled']!)).toBe('cancelled');
    expect(statusOf(ids['noShow']!)).toBe('checked_in');
    expect(statusOf(ids['checkedIn']!)).toBe('checked_in');
    expect(onB.find((x) => x.id === ids['moved'])?.startsAt).toBe(`${today}T${newTime}:00.000Z`);
    expect(onB.some((x) => x.patientId === offline.id && x.startsAt === `${today}T${gamma}:00.000Z` && x.status === 'booked')).toBe(true);
    expect(stack.pages.pageErrors).toEqual([]);
  }, 240_000);

  const conflictOn = (page: Page) => page.getByRole('heading', { name: 'A double booking needs a decision' });

  /**
   * Both desks go offline and book one patient each into the same free slot of Dr. Test Gamma,
   * then come back: the server sees the double booking and both desks show it.
   */
  async function doubleBookOffline(time: string, first: Patient, second: Patient): Promise<void> {
    const [a, b] = [stack.station('FA'), stack.station('FB')];
    const [relayA, relayB] = [stack.relay('FA'), stack.relay('FB')];
    relayA.down();
    relayB.down();
    for (const [page, patient] of [[pageA, first], [pageB, second]] as const) {
      await page.getByRole('button', { name: `Book ${time} with Dr. Test Gamma in Room 3`, exact: true }).click();
      await page.getByRole('searchbox', { name: 'Find patient' }).fill(patient.mrn);
      await page.getByLabel('Patient', { exact: true }).locator('option', { hasText: labelOf(patient) }).waitFor({ state: 'attached' });
      await page.getByLabel('Patient', { exact: true }).selectOption({ label: labelOf(patient) });
      await page.getByRole('button', { name: 'Save appointment' }).click();
      await scheduledAppointment(page, nameOf(patient)).waitFor({ timeout: 15_000 });
    }
    relayA.up();
    relayB.up();
    await a.workstation.syncNow();
    await b.workstation.syncNow();
    await syncUntil(a, conflictOn(pageA), 'present');
    await syncUntil(b, conflictOn(pageB), 'present');
  }

  it('shows a double booking made on two offline desks on both, and a person settles it by cancelling one', async () => {
    const [a, b] = [stack.station('FA'), stack.station('FB')];
    const relayA = stack.relay('FA');
    for (const page of [pageA, pageB]) {
      await page.getByRole('button', { name: 'Today' }).click();
      await page.getByRole('heading', { level: 3, name: 'Dr. Test Gamma — Room 3' }).waitFor();
    }
    const [, first, second] = (await distinctlyNamedPatients(a, 12)).slice(9) as [Patient, Patient, Patient];
    const time = (await freeSlots(a, 'Dr. Test Gamma')).at(-1)!;
    expect(await freeSlots(b, 'Dr. Test Gamma')).toContain(time);
    await doubleBookOffline(time, first, second);
    const alertA = pageA.getByRole('alert').filter({ has: conflictOn(pageA) });
    await alertA.getByText(nameOf(first)).waitFor();
    await alertA.getByText(nameOf(second)).waitFor();
    await axeAndShot(pageA, SUITE, 'conflict');

    // Desk A cancels its own booking; until the server has it, the conflict says it is resolving.
    relayA.down();
    await alertA.getByRole('button', { name: `Cancel this one: ${nameOf(first)}, ${time}`, exact: true }).click();
    await alertA.getByRole('button', { name: 'Yes, cancel appointment' }).click();
    await alertA.getByText('Resolving — waiting for sync.').waitFor();
    await hasFocus(conflictOn(pageA));
    await shot(pageA, 'conflict-resolving');
    relayA.up();
    await syncUntil(a, conflictOn(pageA), 'absent');
    await syncUntil(b, conflictOn(pageB), 'absent');
    await scheduledAppointment(pageB, nameOf(second)).waitFor();
    // Desk B still shows the cancelled booking, marked, with nothing to do on it.
    const firstOnB = scheduledAppointment(pageB, nameOf(first));
    await firstOnB.getByText('Cancelled', { exact: true }).waitFor();
    expect(await firstOnB.getByRole('button').count()).toBe(0);
    expect(b.workstation.store().setup.bookingConflicts().filter((c) => c.status === 'open')).toEqual([]);
    expect(stack.pages.pageErrors).toEqual([]);
  }, 240_000);

  it('settles a double booking by moving one side to another free slot ("Move this one")', async () => {
    const [a, b] = [stack.station('FA'), stack.station('FB')];
    const [first, second] = (await distinctlyNamedPatients(a, 14)).slice(12) as [Patient, Patient];
    const [target, time] = (await freeSlots(a, 'Dr. Test Gamma')).slice(-2) as [string, string];
    expect(await freeSlots(b, 'Dr. Test Gamma')).toEqual(expect.arrayContaining([target, time]));
    await doubleBookOffline(time, first, second);
    const firstId = (await a.workstation.caller.appointments.list()).find((x) => x.patientId === first.id && x.status === 'booked')!.id;

    // Desk A moves its side: the reschedule form opens on it, practitioner and room chosen.
    const alertA = pageA.getByRole('alert').filter({ has: conflictOn(pageA) });
    await alertA.getByRole('button', { name: `Move this one: ${nameOf(first)}, ${time}`, exact: true }).click();
    await pageA.getByRole('heading', { level: 2, name: `Reschedule ${nameOf(first)}` }).waitFor();
    expect(await pageA.getByRole('combobox', { name: 'Practitioner', exact: true }).inputValue()).toBe('Dr. Test Gamma');
    expect(await pageA.getByRole('combobox', { name: 'Location', exact: true }).inputValue()).toBe('Room 3');
    await pageA.getByLabel('New start time').fill(target);
    await axeAndShot(pageA, SUITE, 'conflict-move-form');
    await pageA.getByRole('button', { name: 'Move appointment' }).click();
    await pageA.getByText('Appointment moved.').waitFor();
    // "Move this one" is gone with the overlap: focus lands on the day's heading.
    await hasFocus(dayHeading(pageA));

    // After sync neither desk has the conflict, and both show the moved visit at its new time.
    await syncUntil(a, conflictOn(pageA), 'absent');
    await syncUntil(b, conflictOn(pageB), 'absent');
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const at = (page: Page, start: string, patient: Patient) => page.getByRole('article', { name: new RegExp(`^${start}–\\d\\d:\\d\\d ${escaped(nameOf(patient))}$`) });
    for (const [station, page] of [[a, pageA], [b, pageB]] as const) {
      await syncUntil(station, at(page, target, first), 'present');
      expect(await at(page, time, first).count()).toBe(0);
      await at(page, time, second).waitFor();
      expect(station.workstation.store().appointments.get(firstId)).toMatchObject({ startsAt: `${today}T${target}:00.000Z`, status: 'booked' });
      const settled = station.workstation.store().setup.bookingConflicts({ status: 'all' }).filter((c) => c.firstAppointmentId === firstId || c.secondAppointmentId === firstId);
      expect(settled.map((c) => [c.status, c.resolution])).toEqual([['resolved', 'rescheduled']]);
    }
    await axeAndShot(pageB, SUITE, 'conflict-moved');
    expect(stack.pages.pageErrors).toEqual([]);
  }, 240_000);
});
