import type { Page } from 'playwright-core';
import type { SamplePatient } from './desk-speed-clinic.ts';
import type { KeystrokeTiming } from './desk-speed-probe.ts';

/**
 * Search-as-you-type on the Patients screen, typed letter by letter into "Search patients"
 * by Playwright (real key events) while the in-page probe times each keystroke.
 *
 * The typed searches are built from patients of the clinic itself, mixing what a desk
 * types: family name + first letters of the given name, a full MRN, phone digits, a birth
 * date. Each search starts from a freshly loaded Patients screen (no answer cached in the
 * page from an earlier search), which is the slower, honest case.
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

async function openFreshPatients(page: Page, patientsUrl: string): Promise<void> {
  // A hash-only change would keep the page (and its query cache): reload it instead.
  if (page.url() === patientsUrl) await page.reload();
  else await page.goto(patientsUrl);
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
    await openFreshPatients(page, patientsUrl);
    let previous = '';
    for (const char of search) {
      await page.keyboard.press(char, { delay: KEY_HOLD_MS });
      await new Promise((resolve) => setTimeout(resolve, TYPIST_PAUSE_MS));
      const timing = await page.evaluate((timeout) => window.__deskProbe!.keystrokeDone(timeout), RESULT_TIMEOUT_MS);
      if (timing.text !== previous) timings.push(timing);
      previous = timing.text;
    }
  }
  return timings;
}

/**
 * A fast typist: each search typed at ~8 characters a second without waiting; timed from
 * the LAST keystroke to that full text's results on screen.
 */
export async function typeInBursts(page: Page, patientsUrl: string, searches: readonly string[], charsPerSecond = 8): Promise<KeystrokeTiming[]> {
  const timings: KeystrokeTiming[] = [];
  for (const search of searches) {
    await openFreshPatients(page, patientsUrl);
    await page.keyboard.type(search, { delay: 1000 / charsPerSecond });
    timings.push(await page.evaluate((timeout) => window.__deskProbe!.keystrokeDone(timeout), RESULT_TIMEOUT_MS));
  }
  return timings;
}
