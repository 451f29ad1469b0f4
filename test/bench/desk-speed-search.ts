import type { Page } from 'playwright-core';
import type { SamplePatient } from './desk-speed-clinic.ts';
import type { KeystrokeTiming } from './desk-speed-probe.ts';

/**
 * Search-as-you-type on the Patients screen, typed letter by letter into "Search patients"
 * by Playwright (real key events) while the in-page probe times each keystroke.
 *
 * The typed searches are built from patients of the clinic itself, mixing what a desk
 * types: family name + first letters of the given name, a full MRN, phone digits, a birth
 * date. Each search starts from a freshly opened Patients screen, reached from the schedule
 * as a desk does between patients: the page drops search answers nobody shows (gcTime 0 in
 * use-patients.ts), so no answer of an earlier search is cached and every keystroke is
 * answered by the store. The page itself is loaded once, as the desk app's window is for
 * the day; the first keystroke after a page LOAD (code not yet compiled and warmed) is
 * measured apart (firstKeystrokesAfterLoad).
 */
export function typedSearches(samples: readonly SamplePatient[], count: number): string[] {
  const searches: string[] = [];
  for (let i = 0; searches.length < count && i < samples.length; i++) {
    const patient = samples[i]!;
    const digits = patient.phone.replace(/\D/g, '');
    const local = digits.startsWith('1') ? digits.slice(1) : digits;
    const search = [
      `${patient.familyName} ${patient.givenName.slice(0, 2)}`,
      patient.mrn,
      `${local.slice(0, 3)}-${local.slice(3, 8)}`,
      patient.birthDate,
      `${patient.givenName} ${patient.familyName.slice(0, 3)}`,
    ][i % 5]!;
    if (!searches.includes(search)) searches.push(search);
  }
  if (searches.length < count) throw new Error(`desk speed bench: only ${searches.length} distinct searches from ${samples.length} sample patients`);
  return searches;
}

const RESULT_TIMEOUT_MS = 15_000;

const SCHEDULE_LOADED = 'section[aria-labelledby="schedule-heading"][aria-busy="false"]';

/** The Patients screen opened from the schedule (a hash change: the same page, as in the app). */
async function openPatientsFromSchedule(page: Page, patientsUrl: string): Promise<void> {
  if (!page.url().startsWith(new URL(patientsUrl).origin)) await page.goto(patientsUrl);
  await page.goto(new URL('/#/schedule', patientsUrl).href);
  await page.locator(SCHEDULE_LOADED).waitFor({ timeout: 30_000 });
  await page.goto(patientsUrl);
  await patientsShown(page);
}

/** The Patients screen in a page loaded anew (a reload: the desk app just started). */
async function openPatientsInLoadedPage(page: Page, patientsUrl: string): Promise<void> {
  if (page.url() === patientsUrl) await page.reload();
  else await page.goto(patientsUrl);
  await patientsShown(page);
}

async function patientsShown(page: Page): Promise<void> {
  await page.getByRole('table', { name: 'All patients' }).waitFor({ timeout: 30_000 });
  await page.getByRole('searchbox', { name: 'Search patients' }).focus();
}

/**
 * A person's key press: held KEY_HOLD_MS (a typist's key is down ~80 ms), then a pause
 * before the next. The bench reads each keystroke's timing from the page only after the
 * pause, so no DevTools call of its own lands in the page while the keystroke is being
 * answered (an evaluate and the key-up sent at once ran in the page mid-keystroke and cost
 * it 10–15 ms: the bench's own load, not the desk's). The timing itself is the page's.
 */
const KEY_HOLD_MS = 80;
const TYPIST_PAUSE_MS = 70;

/**
 * Every keystroke waits for its own results before the next one. A keystroke that leaves
 * the trimmed text unchanged (a space between words) asks for nothing new and is left out.
 */
export async function typeLetterByLetter(page: Page, patientsUrl: string, searches: readonly string[]): Promise<KeystrokeTiming[]> {
  const timings: KeystrokeTiming[] = [];
  for (const search of searches) {
    await openPatientsFromSchedule(page, patientsUrl);
    let previous = '';
    for (const char of search) {
      const timing = await timedKeystroke(page, char);
      if (timing.text !== previous) timings.push(timing);
      previous = timing.text;
    }
  }
  return timings;
}

/**
 * The desk app just started: the first letter of a search typed into a page loaded anew,
 * one per load, so every one runs the screen's code for the first time.
 */
export async function firstKeystrokesAfterLoad(page: Page, patientsUrl: string, searches: readonly string[]): Promise<KeystrokeTiming[]> {
  const timings: KeystrokeTiming[] = [];
  for (const search of searches) {
    await openPatientsInLoadedPage(page, patientsUrl);
    timings.push(await timedKeystroke(page, search[0]!));
  }
  return timings;
}

async function timedKeystroke(page: Page, char: string): Promise<KeystrokeTiming> {
  await page.keyboard.press(char, { delay: KEY_HOLD_MS });
  await new Promise((resolve) => setTimeout(resolve, TYPIST_PAUSE_MS));
  return page.evaluate((timeout) => window.__deskProbe!.keystrokeDone(timeout), RESULT_TIMEOUT_MS);
}

/**
 * A fast typist: each search typed at ~8 characters a second without waiting; timed from
 * the LAST keystroke to that full text's results on screen.
 */
export async function typeInBursts(page: Page, patientsUrl: string, searches: readonly string[], charsPerSecond = 8): Promise<KeystrokeTiming[]> {
  const timings: KeystrokeTiming[] = [];
  for (const search of searches) {
    await openPatientsFromSchedule(page, patientsUrl);
    await page.keyboard.type(search, { delay: 1000 / charsPerSecond });
    timings.push(await page.evaluate((timeout) => window.__deskProbe!.keystrokeDone(timeout), RESULT_TIMEOUT_MS));
  }
  return timings;
}
