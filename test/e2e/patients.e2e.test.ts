import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signedIn } from '../../sync-server/testing/harness.ts';
import { chooseByKeyboard, pressOn, tabTo, typeInFocused } from './support/clinical-ui.ts';
import { axeAndShot, e2eStack } from './support/e2e-stack.ts';
import { chromiumForSuite, demoUser } from './support/suite.ts';
import { patientRow, waitForPatientsScreen } from './support/ui.ts';

/**
 * The Patients screen end to end (issue 6): search as you type by name, MRN, phone and
 * birth date (every keystroke gets its own answer, and the list shrinks as the query
 * narrows), keyboard-only registration, the duplicate warning with "Save as new anyway" and
 * "Use this patient", and linking a patient another org registered by the link code the
 * patient brings (server online). axe on every state; screenshots to SHOTS_DIR.
 */
const chromiumOk = chromiumForSuite('patients in Chromium');

/** Made-up patients no demo org holds (demo births are 1935 or later, demo phones 555-01xx). */
const SEEDED = [
  { givenName: 'Ilse', familyName: 'Qzvara', birthDate: '1931-02-03', sex: 'female', phone: '+1 777 412 0001', mrn: 'VX-901' },
  { givenName: 'Ivo', familyName: 'Qzvora', birthDate: '1931-02-14', sex: 'male', phone: '+1 777 412 0002', mrn: 'VX-902' },
  { givenName: 'Ines', familyName: 'Qzvorn', birthDate: '1931-07-09', sex: 'female', phone: '+1 777 419 0003', mrn: 'VX-9021' },
] as const;

const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search patients' });

/** The rendered answer to exactly `query`: the table captioned with it, or the empty sentence naming it. */
function answerTo(page: Page, query: string) {
  return page.getByRole('table', { name: `Patients matching “${query}”`, exact: true }).or(page.locator(`p.empty[data-search="${query}"]`));
}

/**
 * Measures in the page, as the bench does: from each keydown in the search box to the
 * moment the DOM shows the answer to exactly what the box then holds (the caption, or the
 * empty sentence for that search). Playwright's own round trips are not counted.
 */
async function recordSearchTimes(page: Page): Promise<void> {
  await page.evaluate(() => {
    const box = document.querySelector<HTMLInputElement>('input[type="search"]');
    if (!box) throw new Error('no search box');
    const times: number[] = [];
    (window as unknown as { searchTimes: number[] }).searchTimes = times;
    let started = 0;
    let before = '';
    box.addEventListener(
      'keydown',
      () => {
        started = performance.now();
        before = box.value.trim();
      },
      true,
    );
    new MutationObserver(() => {
      if (!started) return;
      const query = box.value.trim();
      if (query === before) return; // the key has not reached the box yet (another part of the page changed)
      const caption = document.querySelector('table caption')?.textContent;
      const empty = document.querySelector('p.empty')?.getAttribute('data-search');
      if (caption === `Patients matching “${query}”` || empty === query) {
        times.push(performance.now() - started);
        started = 0;
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-search'] });
  });
}

/** Starts counting the page's HTTP requests to the host's local API (the resource timeline). */
async function countApiRequests(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(() => {
    performance.setResourceTimingBufferSize(100_000);
    performance.clearResourceTimings();
  });
  return () => page.evaluate(() => performance.getEntriesByType('resource').filter((entry) => new URL(entry.name).pathname.startsWith('/api/patients.list')).length);
}

/**
 * Types `text` one key at a time into the empty search box; after EACH key waits for the
 * answer to exactly what is typed so far (never an older one), and at the checkpoints
 * checks how many rows it has.
 */
async function typeSearch(page: Page, text: string, checkpoints: Record<string, number>): Promise<void> {
  await searchBox(page).fill('');
  await searchBox(page).focus();
  for (let i = 1; i <= text.length; i += 1) {
    const typed = text.slice(0, i);
    await page.keyboard.press(text[i - 1]!);
    await answerTo(page, typed.trim()).waitFor({ timeout: 5_000 });
    const expected = checkpoints[typed];
    if (expected !== undefined) {
      const rows = page.getByRole('table', { name: `Patients matching “${typed}”`, exact: true }).locator('tbody tr');
      expect(await rows.count(), `rows for “${typed}”`).toBe(expected);
    }
  }
}

describe.skipIf(!chromiumOk)('patients: search as you type, registration with duplicates, linking (browser mode, real Chromium)', () => {
  const stack = e2eStack({ server: 'demo', stations: ['PA', 'PB'] });
  const ids: string[] = [];
  const a = () => stack.station('PA');

  let pageA: Page;

  it('search follows every keystroke by name, MRN, phone and birth date; arrow down and Enter open the chart', async () => {
    pageA = await stack.openSignedIn(a(), demoUser(stack.org('northside')));
    await waitForPatientsScreen(pageA);
    for (const patient of SEEDED) ids.push((await a().workstation.caller.patients.create(patient)).id);

    await recordSearchTimes(pageA);
    const httpSearches = await countApiRequests(pageA);
    await typeSearch(pageA, 'Qzvorn', { Qzv: 3, Qzvo: 2, Qzvorn: 1 });
    await typeSearch(pageA, 'VX-9021', { 'VX-90': 3, 'VX-902': 2, 'VX-9021': 1 });
    await typeSearch(pageA, '7774120001', { '7774': 3, '777412': 2, '7774120001': 1 });
    await typeSearch(pageA, '1931-02-14', { '1931': 3, '1931-02': 2, '1931-02-14': 1 });
    // The desk's usual written form of a birth date.
    await typeSearch(pageA, '14/02/1931', { '14/02/1931': 1 });
    const times = await pageA.evaluate(() => (window as unknown as { searchTimes: number[] }).searchTimes);
    expect(times.length, 'every keystroke got its own rendered answer').toBe(43);
    // Every keystroke was answered, none by an HTTP request: they went over the page's one
    // WebSocket to the host (the CSP lets it connect, the host accepted the page's upgrade).
    expect(await httpSearches(), 'searches sent as HTTP requests').toBe(0);
    const sorted = [...times].sort((x, y) => x - y);
    const p95 = sorted[Math.ceil(sorted.length * 0.95) - 1]!;
    console.info(`patients e2e: keystroke → rendered answer in the page, p95 ${Math.round(p95)} ms, median ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} ms`);
    // Generous for a shared machine (the bench holds the 30 ms target); a 200 ms debounce alone would exceed it.
    expect(p95, 'keystroke → rendered answer p95 (ms)').toBeLessThan(200);
    expect(await patientRow(pageA, SEEDED[1]).count()).toBe(1);

    await axeAndShot(pageA, 'patients', 'search');

    // Keyboard: from the search box down into the results, Enter opens the chart.
    await searchBox(pageA).focus();
    await pageA.keyboard.press('ArrowDown');
    const link = pageA.getByRole('link', { name: 'Qzvora, Ivo' });
    expect(await link.evaluate((element) => element === document.activeElement)).toBe(true);
    await pageA.keyboard.press('Enter');
    await expect.poll(() => pageA.evaluate(() => window.location.hash)).toBe(`#/chart/${ids[1]}`);
    await waitForPatientsScreen(pageA);
  }, 180_000);

  it('registers by keyboard only; a near-duplicate is caught, "Save as new anyway" saves it, "Use this patient" opens the existing chart', async () => {
    const page = pageA;
    await pressOn(page, page.getByRole('button', { name: 'New patient' }));
    const register = async (patient: { given: string; family: string; birth: string; sex: string; phone: string; mrn: string }) => {
      await typeInFocused(page, page.getByLabel('Given name'), patient.given);
      await page.keyboard.press('Tab');
      await page.keyboard.type(patient.family);
      await page.keyboard.press('Tab');
      // en-US date input: month, day, year segments.
      const [y, m, d] = patient.birth.split('-');
      await page.keyboard.type(`${m}${d}${y}`);
      expect(await page.getByLabel('Date of birth').inputValue()).toBe(patient.birth);
      await chooseByKeyboard(page, page.getByLabel('Sex'), patient.sex);
      await tabTo(page, page.getByLabel('Phone'));
      await page.keyboard.type(patient.phone);
      await page.keyboard.press('Tab');
      await page.keyboard.type(patient.mrn);
      await page.keyboard.press('Enter');
    };

    // A new person: no warning, saved at once.
    await axeAndShot(page, 'patients', 'register');
    await register({ given: 'Oskar', family: 'Brandvoll', birth: '1950-05-05', sex: 'Male', phone: '777 600 1000', mrn: 'E2E-1' });
    await page.getByText(/^Saved Oskar Brandvoll\./).waitFor({ timeout: 15_000 });
    await patientRow(page, { givenName: 'Oskar', familyName: 'Brandvoll' }).waitFor();

    // Ilse Qzvara again, typed differently (case, two letters swapped): the warning names her.
    await pressOn(page, page.getByRole('button', { name: 'New patient' }));
    await register({ given: 'ILSE', family: 'Qzavra', birth: '1931-02-03', sex: 'Female', phone: '', mrn: '' });
    const warning = page.getByRole('region', { name: 'This patient may already be registered' });
    await warning.waitFor({ timeout: 15_000 });
    expect(await warning.getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('Qzvara, Ilse')]);
    expect(await warning.textContent()).toContain('similar name, same date of birth');
    expect(await page.getByRole('heading', { name: 'This patient may already be registered' }).evaluate((e) => e === document.activeElement)).toBe(true);
    await axeAndShot(page, 'patients', 'duplicate-warning');
    await pressOn(page, warning.getByRole('button', { name: 'Save as new anyway' }));
    await page.getByText(/^Saved ILSE Qzavra\./).waitFor({ timeout: 15_000 });
    const all = await a().workstation.caller.patients.list({ search: '1931-02-03' });
    expect(all.map((p) => p.familyName).sort()).toEqual(['Qzavra', 'Qzvara']);

    // Same MRN as Ines: "Use this patient" saves nothing and opens her chart.
    await pressOn(page, page.getByRole('button', { name: 'New patient' }));
    await register({ given: 'Somebody', family: 'Else', birth: '1999-09-09', sex: 'Other', phone: '', mrn: 'vx-9021' });
    await page.getByRole('region', { name: 'This patient may already be registered' }).waitFor({ timeout: 15_000 });
    await pressOn(page, page.getByRole('button', { name: /^Use this patient/ }));
    await expect.poll(() => page.evaluate(() => window.location.hash)).toBe(`#/chart/${ids[2]}`);
    expect(await a().workstation.caller.patients.list({ search: 'Somebody Else' })).toEqual([]);
    expect(stack.pages.pageErrors).toEqual([]);
  }, 180_000);

  it('links a patient from another org by the code the patient brings; a wrong code is refused and shows nothing', async () => {
    const b = stack.station('PB');
    // Org A's side: Ivo reaches the server and gets a one-time code to take along.
    await a().workstation.syncNow();
    const { client } = await signedIn(stack.server, { code: 'northside', username: 'frontdesk', password: demoUser(stack.org('northside')).password });
    const { code } = await client.patients.linkCode.issue.mutate({ patientId: ids[1]! });

    const page = await stack.openSignedIn(b, demoUser(stack.org('lakeview')));
    await waitForPatientsScreen(page);
    await page.getByRole('button', { name: 'New patient' }).click();
    await page.getByRole('button', { name: 'Link an existing patient' }).click();
    await page.getByRole('heading', { name: 'Link an existing patient' }).waitFor();
    await axeAndShot(page, 'patients', 'link-form');

    // A typo in the code: first the form's own check, then the server's one refusal.
    await page.getByLabel('Link code', { exact: true }).fill('ABC');
    await page.getByLabel('Date of birth').fill('1931-02-14');
    await page.getByRole('button', { name: 'Link patient' }).click();
    await page.getByText('Link code must be a link code of 16 letters and digits').waitFor();
    await page.getByLabel('Link code', { exact: true }).fill('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    await page.getByRole('button', { name: 'Link patient' }).click();
    await page.getByRole('alert').filter({ hasText: 'No patient matched these details.' }).waitFor({ timeout: 15_000 });
    expect(await page.getByLabel('Date of birth').inputValue()).toBe('1931-02-14');
    expect(await b.workstation.caller.patients.list({ search: 'Qzvora' })).toEqual([]);

    await page.getByLabel('Link code', { exact: true }).fill(code.toLowerCase());
    await page.getByLabel('MRN in this organization').fill('LV-E2E-1');
    await page.getByRole('button', { name: 'Link patient' }).click();
    await page.getByText(/^Linked Ivo Qzvora/).waitFor({ timeout: 30_000 });
    const row = patientRow(page, SEEDED[1]);
    await row.waitFor();
    expect(await row.textContent()).toContain('LV-E2E-1');
    expect(await row.textContent()).not.toContain('VX-902');
    await axeAndShot(page, 'patients', 'linked');
    expect(stack.pages.pageErrors).toEqual([]);
  }, 180_000);
});
