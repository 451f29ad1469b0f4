import type { Page } from 'playwright-core';

/** Drives the real screens the way a person would: by labels and roles only. */
export async function signIn(page: Page, credentials: { org: string; username: string; password: string }): Promise<void> {
  await page.getByLabel('Organization code').fill(credentials.org);
  await page.getByLabel('Username').fill(credentials.username);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits for the signed-in workstation (the navigation), then opens the Patients screen. */
export async function waitForPatientsScreen(page: Page, timeout = 30_000): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.waitFor({ timeout });
  // The navigation's link: other screens (My day) link to Patients too.
  await nav.getByRole('link', { name: 'Patients' }).click();
  await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor({ timeout });
}

export type NewPatient = { givenName: string; familyName: string; birthDate: string; sex: 'female' | 'male' | 'other' | 'unknown'; phone: string; mrn: string };

export async function createPatient(page: Page, patient: NewPatient): Promise<void> {
  await page.getByRole('button', { name: 'New patient' }).click();
  await page.getByLabel('Given name').fill(patient.givenName);
  await page.getByLabel('Family name').fill(patient.familyName);
  await page.getByLabel('Date of birth').fill(patient.birthDate);
  await page.getByLabel('Sex').selectOption(patient.sex);
  await page.getByLabel('Phone').fill(patient.phone);
  await page.getByLabel('MRN').fill(patient.mrn);
  await page.getByRole('button', { name: 'Save patient' }).click();
}

export async function searchPatients(page: Page, text: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Search patients' }).fill(text);
}

/** The patients table row for one patient, by its row header ("Family, Given"). */
export function patientRow(page: Page, patient: Pick<NewPatient, 'givenName' | 'familyName'>) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: `${patient.familyName}, ${patient.givenName}` }) });
}

/** Presses "Sync now" and waits until the button is usable again (the round finished). */
export async function syncNow(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: /Sync now|Syncing/ });
  await button.click();
  await page.getByRole('button', { name: 'Sync now', disabled: false }).waitFor({ timeout: 30_000 });
}

/** Polls: sync, then look, until the locator shows up or the deadline passes. */
export async function syncUntilVisible(page: Page, locator: ReturnType<Page['getByRole']>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await locator.count()) return;
    if (Date.now() > deadline) throw new Error(`Not visible after ${timeoutMs} ms of syncing`);
    await syncNow(page).catch(() => undefined);
    await locator.first().waitFor({ timeout: 1_500 }).catch(() => undefined);
  }
}

/** Opens the Schedule (the desk's home) and waits for its first load to finish. */
export async function openSchedule(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Schedule' }).click();
  await page.getByRole('heading', { level: 1, name: 'Schedule' }).waitFor();
  await page.locator('section[aria-labelledby="schedule-heading"][aria-busy="false"]').waitFor({ timeout: 30_000 });
}

/** Books from the Schedule's "Book appointment" form (not a free slot): today, 14:30, 45 minutes. */
export async function bookAppointment(
  page: Page,
  booking: { findPatient: string; patientLabel: string; reason: string; practitionerName: string; location: string },
): Promise<void> {
  await openSchedule(page);
  await page.getByRole('button', { name: 'Book appointment' }).click();
  await page.getByRole('searchbox', { name: 'Find patient' }).fill(booking.findPatient);
  const patient = page.getByLabel('Patient', { exact: true });
  await patient.locator('option', { hasText: booking.patientLabel }).waitFor({ state: 'attached', timeout: 15_000 });
  await patient.selectOption({ label: booking.patientLabel });
  await page.getByLabel('Start time', { exact: true }).fill('14:30');
  await page.getByLabel('Duration', { exact: true }).selectOption('45');
  await page.getByLabel('Reason', { exact: true }).fill(booking.reason);
  // Practitioner and location are choices from the synced staff and rooms.
  await page.getByLabel('Practitioner', { exact: true }).selectOption({ label: booking.practitionerName });
  await page.getByLabel('Location', { exact: true }).selectOption({ label: booking.location });
  await page.getByRole('button', { name: 'Save appointment' }).click();
}

/** A booked appointment on the Schedule, by text it shows (reason, patient name). */
export function scheduledAppointment(page: Page, ...texts: string[]) {
  let cards = page.getByRole('article');
  for (const text of texts) cards = cards.filter({ hasText: text });
  return cards;
}
